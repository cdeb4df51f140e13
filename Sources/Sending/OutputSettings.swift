import Foundation
import Ledger
public import Planning
import Recipients
public import Spreadsheet

/// Which files are written for each manager with `--split-by`.
public enum ShareFormat: String, Codable, Sendable, CaseIterable {
    case csv, xlsx, both

    var csv: Bool { self != .xlsx }
    var xlsx: Bool { self != .csv }
}

/// How a run's files are written, kept with the run so `status`, `export` and `resume` write
/// the same files again.
public struct OutputSettings: Codable, Sendable, Equatable {
    /// Columns a manager's file holds beyond the defaults (`--share`, `share:`).
    public var share: [String]
    public var format: ShareFormat
    /// The input's delimiter, for the results CSV.
    public var delimiter: Delimiter
    /// Which input column is which field ("first_name" → 0), as the run read the file.
    public var roles: [String: Int]

    public init(
        share: [String] = [], format: ShareFormat = .both, delimiter: Delimiter = .comma, roles: [String: Int] = [:]
    ) {
        self.share = share
        self.format = format
        self.delimiter = delimiter
        self.roles = roles
    }

    /// From a plan's mapping.
    init(share: [String], format: ShareFormat, delimiter: Delimiter, mapping: ColumnMapping) {
        var roles: [String: Int] = [:]
        for field in ManagerColumns.personFields {
            if let column = mapping.column(for: field) { roles[field.rawValue] = column }
        }
        self.init(share: share, format: format, delimiter: delimiter, roles: roles)
    }

    /// As stored with a run; a run recorded before these settings existed gets the mapping the
    /// header gives by itself. Settings that are stored but cannot be read are an error, never
    /// replaced in silence: they say what each manager may see.
    static func of(_ json: String?, header: [String], runID: String = "") throws -> OutputSettings {
        if let json {
            do {
                return try JSONDecoder().decode(OutputSettings.self, from: Data(json.utf8))
            } catch {
                throw LedgerError(
                    "the output settings recorded with run \(runID) (what each manager's file holds, the delimiter) cannot be read, so its files were not written again: the ledger may be damaged or written by a newer goody-batch. Use the goody-batch that sent it; the gifts themselves and their links are in the ledger and at Goody, untouched."
                )
            }
        }
        guard let mapping = try? ColumnMapping(header: header) else { return OutputSettings() }
        return OutputSettings(share: [], format: .both, delimiter: .comma, mapping: mapping)
    }

    var json: String { String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self) }
}

/// What a manager's file holds: the person's name, the gift and its state, how to reach them,
/// and only what else was named with `--share`. Never addresses, phones, pay or costs by default.
public struct ManagerColumns: Sendable, Equatable {
    /// The input columns that name and identify the person, in this order.
    static let personFields: [RecipientField] = [
        .firstName, .lastName, .preferredName, .email, .employeeID, .manager, .managerEmail,
    ]
    static let giftColumns = ["Gift link", "Status", "Send date", "Expires"]

    /// The input columns the two name columns are made from: a filled preferred name first,
    /// else the first name; the last name. Each row's own record stands in where they are empty.
    let first: Int?
    let last: Int?
    let preferred: Int?
    /// Every input column the name columns use.
    var names: [Int] { [first, last, preferred].compactMap { $0 } }
    static let nameColumns = ["First Name", "Last Name"]
    /// Input columns shown after the gift (email, employee ID).
    let contact: [Int]
    /// Shared on request: input columns, or the results' own columns (a cost, an order ID).
    let shared: [SharedColumn]

    enum SharedColumn: Equatable {
        case input(Int)
        case result(String)
    }

    /// Resolves `share` against the header; an unknown name is an error that lists the choices.
    init(header: [String], settings: OutputSettings) throws {
        let role = { (field: RecipientField) in settings.roles[field.rawValue].flatMap { $0 < header.count ? $0 : nil }
        }
        first = role(.firstName)
        last = role(.lastName)
        preferred = role(.preferredName)
        contact = [RecipientField.email, .employeeID].compactMap(role)
        let defaults = Set([first, last, preferred].compactMap { $0 } + contact)
        shared = try settings.share.compactMap { name in
            if let column = header.firstIndex(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) {
                return defaults.contains(column) ? nil : .input(column)
            }
            if let result = ResultsWriter.columns.first(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) {
                return .result(result)
            }
            let guess = EditDistance.closest(name, in: header + ResultsWriter.columns).map {
                " Did you mean --share \(ShellWord.quoted($0))?"
            }
            throw SendError(
                "--share \(name): there is no such column.\(guess ?? "") The input's columns are: \(HeaderList.quoted(header)); the results add \(ResultsWriter.columns.joined(separator: ", ")). Nothing was priced or sent."
            )
        }
    }

    /// The person's names as a manager reads them, never blank when anything names them: the
    /// preferred first name when filled ("Kim Allen" → Kim), else the first name.
    func names(_ input: [String], row: RowRecord?) -> [String] {
        func value(_ column: Int?) -> String {
            column.map { $0 < input.count ? input[$0].trimmingCharacters(in: .whitespaces) : "" } ?? ""
        }
        let lastName = value(last).isEmpty ? row?.lastName ?? "" : value(last)
        var firstName = value(preferred)
        if !firstName.isEmpty {
            firstName = PreferredName.firstName(preferred: firstName, last: lastName)
        } else {
            firstName = value(first).isEmpty ? row?.firstName ?? "" : value(first)
        }
        return [firstName, lastName]
    }

    /// The header of a manager's file.
    func header(_ input: [String]) -> [String] {
        Self.nameColumns + Self.giftColumns + contact.map { input[$0] }
            + shared.map { column in
                switch column {
                case .input(let index): input[index]
                case .result(let name): name
                }
            }
    }

    /// What `--split-by` will write, for a plan to say before anything is sent: one file per
    /// value of which column, in which formats, listed where, holding which columns.
    public static func preview(splitBy: String, plan: Plan, share: [String], format: ShareFormat, results: String)
        throws -> String
    {
        let settings = OutputSettings(
            share: share, format: format, delimiter: plan.validation.layout.delimiter.delimiter,
            mapping: plan.validation.mapping)
        return try preview(
            splitBy: splitBy, header: plan.validation.mapping.header, settings: settings, results: results)
    }

    static func preview(splitBy: String, header: [String], settings: OutputSettings, results: String) throws -> String {
        let column = try ManagerFiles.column(splitBy, header: header, settings: settings)
        let formats = settings.format == .both ? "xlsx and csv" : settings.format.rawValue
        let manifest = (OutputNaming.manifest(for: results, extension: "xlsx") as NSString).lastPathComponent
        return "Manager files: one per \(header[column]) (\(formats)), listed for HR in \(manifest); "
            + (try ManagerColumns(header: header, settings: settings).sentence(header))
    }

    /// "First Name, Last Name, Gift, Status, Send date, Expires, Work Email; shared: Department",
    /// and what is left out, for the plan.
    func sentence(_ input: [String]) -> String {
        let base = (Self.nameColumns + Self.giftColumns + contact.map { input[$0] }).joined(separator: ", ")
        let sharedNames = header(input).suffix(shared.count)
        let used = Set(names + contact + shared.compactMap { if case .input(let i) = $0 { i } else { nil } })
        let left = input.indices.filter { !used.contains($0) }.map { input[$0] }
        var text = "each manager's file holds \(base)"
        text += sharedNames.isEmpty ? "" : "; shared with --share: \(sharedNames.joined(separator: ", "))"
        text += left.isEmpty ? "." : ". Not in them: \(left.joined(separator: ", ")) (--share COLUMN adds one)."
        return text
    }
}
