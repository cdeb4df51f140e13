public import GoodyAPI

/// Which column holds which recipient field. Built from the header row through the alias
/// table, then adjusted by `--map field=Header`. Columns that map to no field are kept and
/// carried through untouched to every output.
public struct ColumnMapping: Sendable {
    public let header: [String]
    /// Field → column index.
    public private(set) var columns: [RecipientField: Int] = [:]
    /// Whether the first name comes from the preferred-name column when that cell is filled.
    public let usesPreferredName: Bool
    /// Things a person should know about the mapping, shown by `inspect` and `validate`.
    public private(set) var notes: [String] = []
    private let emailOverridden: Bool

    /// - Parameters:
    ///   - overrides: field → header text; an empty header unmaps the field.
    ///   - preferPreferredName: take the first name from a "Preferred Name" column when filled.
    public init(header: [String], overrides: [RecipientField: String] = [:], preferPreferredName: Bool = false)
        throws(MappingError)
    {
        self.header = header
        usesPreferredName = preferPreferredName
        emailOverridden = overrides[.email] != nil
        var byField: [RecipientField: [(column: Int, rank: Int)]] = [:]
        for (column, text) in header.enumerated() {
            guard let match = RecipientField.match(text) else { continue }
            byField[match.field, default: []].append((column, match.rank))
        }
        for (field, candidates) in byField where overrides[field] == nil {
            let best = candidates.map(\.rank).min() ?? 0
            let winners = candidates.filter { $0.rank == best }
            if winners.count > 1 {
                let refs = winners.map { ColumnRef(index: $0.column, header: header[$0.column]) }
                let sameText = Set(winners.map { HeaderKey.normalize(header[$0.column]) }).count == 1
                throw MappingError(code: sameText ? .duplicateHeader(field, refs) : .ambiguous(field, refs))
            }
            columns[field] = winners[0].column
            let others = candidates.filter { $0.rank != best }.map { header[$0.column] }
            if !others.isEmpty {
                let quoted = others.map { "\"\($0)\"" }.joined(separator: ", ")
                notes.append(
                    "\(field.rawValue) is read from \"\(header[winners[0].column])\"; \(quoted) also looked like \(field.rawValue) and is kept but not used (--map \(field.rawValue)=\"\(others[0])\" to use it instead)."
                )
            }
        }
        for (field, name) in overrides.sorted(by: { $0.key < $1.key }) {
            if name.isEmpty {
                columns[field] = nil
                continue
            }
            let exact = header.indices.filter { header[$0] == name }
            let loose = header.indices.filter { HeaderKey.normalize(header[$0]) == HeaderKey.normalize(name) }
            let matches = exact.isEmpty ? loose : exact
            guard let column = matches.first else {
                throw MappingError(code: .unknownHeader(field: field, name: name, header: header))
            }
            guard matches.count == 1 else {
                throw MappingError(
                    code: .duplicateHeader(field, matches.map { ColumnRef(index: $0, header: header[$0]) }))
            }
            if let taken = columns.first(where: { $0.value == column && $0.key != field && overrides[$0.key] == nil }) {
                columns[taken.key] = nil
            }
            columns[field] = column
        }
        if columns[.firstName] == nil, let full = columns[.fullName] {
            notes.append(
                "There is no first-name column: first and last names are split from \"\(header[full])\" (\"Ann Lee\" or \"Lee, Ann\"), and each split is shown as a warning. --map first_name=\"\(header[full])\" greets people by the whole name instead."
            )
        } else if columns[.firstName] == nil, let preferred = columns[.preferredName] {
            columns[.firstName] = preferred
            columns[.preferredName] = nil
            notes.append("There is no first-name column, so first names are read from \"\(header[preferred])\".")
        } else if let preferred = columns[.preferredName] {
            notes.append(
                preferPreferredName
                    ? "First names are read from \"\(header[preferred])\" where it is filled (its first word when it carries the last name: \"Kim Allen\" greets Kim), else from \"\(header[columns[.firstName] ?? 0])\"; --legal-name greets by \"\(header[columns[.firstName] ?? 0])\" instead."
                    : "\"\(header[preferred])\" is kept but not used for first names (leave out --legal-name to greet people by it where it is filled)."
            )
        }
    }

    public func column(for field: RecipientField) -> Int? { columns[field] }

    /// The email column's header when the mapping fell back to a personal address ("Personal
    /// Email", "Home Email") because no column is a work email; nil when it was chosen with
    /// `--map email=…`.
    public var fallbackPersonalEmail: String? {
        guard !emailOverridden, let column = columns[.email] else { return nil }
        let key = HeaderKey.normalize(header[column])
        return ["personal", "home", "private"].contains { key.contains($0) } ? header[column] : nil
    }

    public func ref(for field: RecipientField) -> ColumnRef? {
        columns[field].map { ColumnRef(index: $0, header: header[$0]) }
    }

    /// The field a column holds, if any.
    public func field(forColumn column: Int) -> RecipientField? {
        columns.first(where: { $0.value == column })?.key
    }

    /// The required fields of `method` with no column, so that every row would fail. A full
    /// name column stands for the first name.
    public func missingColumns(for method: SendMethod) -> [RecipientField] {
        method.requiredFields.filter { columns[$0] == nil && !($0 == .firstName && columns[.fullName] != nil) }
    }

    /// Whether first (and last) names come from splitting the full-name column.
    public var splitsFullName: Bool { columns[.firstName] == nil && columns[.fullName] != nil }

    /// The header most likely meant for `field`, among the columns no field took: one that holds
    /// one of the field's names ("Primary Work E-mail (Main)" for email), or is one typo away
    /// from one ("Emial").
    public func suggestion(for field: RecipientField) -> String? {
        let taken = Set(columns.values)
        var best: (header: String, score: Int)?
        for (column, text) in header.enumerated() where !taken.contains(column) {
            // A column named by its letter (a workbook's unlabelled one) was meant for nothing.
            guard text != ColumnRef.letter(for: column) else { continue }
            let key = HeaderKey.normalize(text)
            guard !key.isEmpty else { continue }
            var score = 0
            for alias in field.aliases.map(\.key) where alias.count >= 4 {
                if key.contains(alias) { score = max(score, alias.count * 2) }
                if abs(key.count - alias.count) <= 2, EditDistance.between(key, alias) <= (alias.count >= 8 ? 2 : 1) {
                    score = max(score, alias.count * 2 - 1)
                }
            }
            if score > (best?.score ?? 0) { best = (text, score) }
        }
        return best?.header
    }
}

/// A mapping problem that stops the run: every row would be read wrongly.
public struct MappingError: Error, Sendable, Equatable {
    public enum Code: Sendable, Equatable {
        case duplicateHeader(RecipientField, [ColumnRef])
        case ambiguous(RecipientField, [ColumnRef])
        case unknownHeader(field: RecipientField, name: String, header: [String])
        /// With, per field, the header most likely meant for it.
        case missingColumns(
            [RecipientField], method: SendMethod, header: [String], suggestions: [RecipientField: String])
    }

    public let code: Code

    public init(code: Code) { self.code = code }

    public func message(path: String, headerLine: Int) -> String {
        let place = "\(path): line \(headerLine) (the header)"
        switch code {
        case .duplicateHeader(let field, let refs):
            let list = refs.map(\.description).joined(separator: " and ")
            return
                "\(place): \(list) are both named like \(field.rawValue), so it is unclear which to use. Rename one of them, or choose with --map \(field.rawValue)=\"HEADER\"."
        case .ambiguous(let field, let refs):
            let list = refs.map(\.description).joined(separator: " and ")
            return
                "\(place): \(list) could each be the \(field.rawValue) column. Choose one with --map \(field.rawValue)=\"\(refs[0].header)\"."
        case .unknownHeader(let field, let name, let header):
            return
                "\(place): --map \(field.rawValue)=\"\(name)\" names no column. The columns are: \(HeaderList.quoted(header))."
        case .missingColumns(let fields, let method, let header, let suggestions):
            let names = fields.map(\.rawValue).joined(separator: ", ")
            var text =
                "\(place): no column holds \(names), which \(method.rawValue) needs on every row. The columns are: \(HeaderList.quoted(header))."
            let guesses = fields.compactMap { field in suggestions[field].map { (field, $0) } }
            if guesses.isEmpty {
                text +=
                    " Rename the column in the header, or name it with --map, for example --map \(fields[0].rawValue)=\"Column Name\" (or columns: in the campaign file)."
            } else {
                text +=
                    " Did you mean "
                    + guesses.map { "--map \($0.0.rawValue)=\"\($0.1)\"" }.joined(separator: " and ")
                    + "? (Or columns: in the campaign file, to keep the mapping.)"
            }
            return text
        }
    }
}

/// A header's names as messages list them: quoted, and at most `limit` of them ("…and 16,300
/// more"), so a sheet with a cell in its last column does not make a message of 16,384 names.
public enum HeaderList {
    public static func quoted(_ header: [String], limit: Int = 40) -> String {
        let shown = header.prefix(limit).map { "\"\($0)\"" }.joined(separator: ", ")
        return header.count > limit ? shown + " and \(header.count - limit) more" : shown
    }
}

/// How far apart two short words are: for "did you mean" suggestions.
public enum EditDistance {
    /// The header most likely meant by `name`, typed on the command line: one a typo or two
    /// away ("Manger" → "Manager"), or one holding it or held in it ("Dept" in "Dept Name").
    public static func closest(_ name: String, in headers: [String]) -> String? {
        let wanted = HeaderKey.normalize(name)
        guard !wanted.isEmpty else { return nil }
        var best: (header: String, distance: Int)?
        for header in headers {
            let key = HeaderKey.normalize(header)
            guard !key.isEmpty else { continue }
            var distance = between(wanted, key)
            if min(wanted.count, key.count) >= 3 && (key.contains(wanted) || wanted.contains(key)) {
                distance = min(distance, 1)
            }
            // An abbreviation: its letters in order, from the same first letter ("dept", "mgr").
            let abbreviation = wanted.count >= 3 && wanted.first == key.first && isSubsequence(wanted, of: key)
            guard abbreviation || distance <= max(1, min(wanted.count, key.count) / 3) else { continue }
            if abbreviation { distance = min(distance, 2) }
            if distance < best?.distance ?? .max { best = (header, distance) }
        }
        return best?.header
    }

    private static func isSubsequence(_ short: String, of long: String) -> Bool {
        var rest = Substring(long)
        for character in short {
            guard let found = rest.firstIndex(of: character) else { return false }
            rest = rest[rest.index(after: found)...]
        }
        return true
    }

    /// Insertions, deletions, substitutions and swapped neighbours ("sned" → "send" is one).
    public static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        var previous = Array(0...b.count)
        var beforePrevious = previous
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            beforePrevious = previous
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
