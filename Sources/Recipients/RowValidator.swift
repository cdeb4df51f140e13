public import GoodyAPI
public import Spreadsheet

/// What the validation of a whole file is asked to do.
public struct ValidationOptions: Sendable {
    public var method: SendMethod
    /// Let two rows share an email or a name and address (someone meant to get two gifts).
    public var allowDuplicates: Bool
    /// Keep each valid row as a `Recipient` (plan and send need them; validate does not).
    public var collectRecipients: Bool

    /// Narrows every key's hash (tests only: a narrow mask makes hash agreements between
    /// different keys common, to prove they are confirmed before anyone is called a duplicate).
    var duplicateHashMask: UInt64 = .max

    public init(method: SendMethod, allowDuplicates: Bool = false, collectRecipients: Bool = false) {
        self.method = method
        self.allowDuplicates = allowDuplicates
        self.collectRecipients = collectRecipients
    }
}

/// The judgement of one row: the kinds of finding on it, the findings written out in full where
/// they were wanted, and the recipient when the row is valid and recipients are kept.
public struct RowVerdict {
    public var line: Int
    /// Every kind of finding on the row.
    public var codes = FindingCodeSet()
    /// The findings written out (all errors; warnings while `detailedWarningsPerKind` allows).
    public var findings: [Finding] = []
    /// Boxed, so a verdict stays small to copy when recipients are not kept (the usual case).
    private var recipientBox: RecipientBox?
    public var recipient: Recipient? {
        get { recipientBox?.value }
        set { recipientBox = newValue.map(RecipientBox.init) }
    }
    /// Hashes of the row's email and of its name and address, for the duplicate check.
    var emailKey: UInt64?
    var addressKey: UInt64?

    public init(line: Int) { self.line = line }

    public var hasError: Bool { codes.hasError }
}

/// Fields with the columns they are read from, held outside Swift's arrays so that walking them
/// for every row costs no reference counting.
private struct FieldColumns {
    struct Entry {
        var field: RecipientField
        var column: Int
    }
    let entries: UnsafeMutableBufferPointer<Entry>

    /// The fields of `fields` that have a column (`columns[field.ordinal] >= 0`).
    init(_ fields: [RecipientField], columns: [Int]) {
        let present = fields.compactMap { field in
            columns[field.ordinal] >= 0 ? Entry(field: field, column: columns[field.ordinal]) : nil
        }
        entries = .allocate(capacity: present.count)
        _ = entries.initialize(from: present)
    }

    func release() { entries.deallocate() }
}

/// Checks one row at a time against the rules of the send method. Values are looked at as
/// bytes in place (a clean value is never copied), so a million-row file validates at close to
/// libcsv's own speed; strings are made only for what is reported.
public final class RowValidator {
    private let mapping: ColumnMapping
    private let options: ValidationOptions
    /// Column index per field ordinal, -1 when the field has no column.
    private let columnOfField: [Int]
    /// Column references per field ordinal, for findings.
    private let refs: [ColumnRef?]
    /// The cleaned value of each field for the current row: a view into the record, or into
    /// `arena` when cleaning changed it.
    private let views: UnsafeMutablePointer<UnsafeBufferPointer<UInt8>>
    // Touched for every value; the validator is used from one thread at a time, so the dynamic
    // exclusivity checks on these would only cost time.
    @exclusivity(unchecked) private var arena: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var arenaCapacity: Int
    @exclusivity(unchecked) private var arenaUsed = 0
    private let emails: DuplicateIndex
    private let addresses: DuplicateIndex
    /// No first-name column: first and last names come from the full-name column.
    private let splitsFullName: Bool
    /// Reads earlier rows again, so a hash agreement is confirmed on the two rows' own keys.
    private let replayer: RecordReplayer?
    /// Keys whose hash agreed with a different key's (found in the index, refuted on the rows
    /// read again), with their first line: kept exactly, so a later row with the same key is
    /// still caught.
    private var collided: [FindingCode: [[UInt8]: Int]] = [:]
    /// The earlier row's key last read again, for the email and for the address: rows that all
    /// repeat one person read it once.
    private var lastEarlier: [(line: Int, key: [UInt8]?)] = [(0, nil), (0, nil)]
    /// True while a row is checked again only for its keys: nothing is counted or written.
    @exclusivity(unchecked) private var rechecking = false
    /// An earlier row could not be read again (the file changed or went away while being read).
    public private(set) var rereadFailed = false
    /// How many warnings of each kind to write out in full (nil: all); past that they are only
    /// counted, which keeps a file where every row is repaired fast.
    @exclusivity(unchecked) public var detailedWarningsPerKind: Int?
    @exclusivity(unchecked) private var detailedWarnings = [Int](repeating: 0, count: FindingCode.allCases.count)
    private let plainTextFields: [RecipientField] = [
        .firstName, .lastName, .preferredName, .manager, .employeeID, .product, .fromName, .email, .phone,
    ]
    private let addressFields: [RecipientField] = [.address1, .address2, .city, .state, .postalCode, .country]
    /// Of `plainTextFields`, `addressFields` and `settingFields`, those the file has, with their
    /// columns: worked out once, so a row's clean values cost a flag test each and no call.
    private let presentPlainText: FieldColumns
    private let presentAddress: FieldColumns
    private let presentSettings: FieldColumns
    private let doubleEncodingFields: [RecipientField] = [.firstName, .lastName, .preferredName, .manager, .city]
    private let settingFields: [RecipientField] = [.variants, .amount, .sendDate]
    private let addressKeyFields: [RecipientField] = [.firstName, .lastName, .address1, .address2]
    /// The address key's parts for the current row: those fields, then the ZIP code's first five.
    private let keyParts = UnsafeMutableBufferPointer<UnsafeBufferPointer<UInt8>>.allocate(capacity: 5)
    private let requiredAddress: [(RecipientField, FindingCode, String)] = [
        (.address1, .address1Missing, "the street address"),
        (.city, .cityMissing, "the city"),
        (.state, .stateMissing, "the state"),
        (.postalCode, .postalCodeMissing, "the ZIP code"),
    ]

    /// `replayer` reads rows of the file again; duplicates are looked for only with one.
    public init(mapping: ColumnMapping, options: ValidationOptions, replayer: RecordReplayer?, expectedRows: Int = 1024)
    {
        self.mapping = mapping
        self.options = options
        columnOfField = RecipientField.allCases.map { mapping.column(for: $0) ?? -1 }
        splitsFullName = mapping.splitsFullName
        // Findings about a split name point at the column it came from.
        refs = RecipientField.allCases.map { field in
            mapping.ref(for: field)
                ?? (mapping.splitsFullName && (field == .firstName || field == .lastName)
                    ? mapping.ref(for: .fullName) : nil)
        }
        presentPlainText = FieldColumns(plainTextFields, columns: columnOfField)
        presentAddress = FieldColumns(addressFields, columns: columnOfField)
        presentSettings = FieldColumns(settingFields, columns: columnOfField)
        views = .allocate(capacity: RecipientField.allCases.count)
        views.initialize(repeating: UnsafeBufferPointer(start: nil, count: 0), count: RecipientField.allCases.count)
        arenaCapacity = 1 << 16
        arena = .allocate(capacity: arenaCapacity)
        // Sized up front with room to spare, so the tables do not grow (growing holds two copies).
        let capacity = max(1024, expectedRows * 12 / 7 + 64)
        emails = DuplicateIndex(capacity: options.allowDuplicates ? 16 : capacity)
        addresses = DuplicateIndex(capacity: options.method == .directSend && !options.allowDuplicates ? capacity : 16)
        self.replayer = options.allowDuplicates ? nil : replayer
    }

    deinit {
        views.deallocate()
        arena.deallocate()
        presentPlainText.release()
        presentAddress.release()
        presentSettings.release()
        keyParts.deallocate()
    }

    /// Judges a batch of rows into `verdicts` (one per row, in order). The duplicate check runs
    /// over the whole batch at the end: first every table slot the batch will touch is loaded,
    /// so the cache misses overlap instead of coming one row at a time.
    ///
    /// A batch already checked on the reading thread (`check(_:)`, by another validator made
    /// the same way) only has its duplicates resolved here.
    public func validate(_ batch: RecordBatch, into verdicts: inout [RowVerdict]) {
        replayer?.absorb(batch)
        if let checked = batch.prepared as? CheckedRows {
            swap(&verdicts, &checked.verdicts)
        } else {
            checkEveryRow(of: batch, into: &verdicts)
        }
        guard replayer != nil else { return }
        // The slots a group of rows will insert at are loaded first, in a loop of loads alone,
        // so the cache misses overlap; the inserts then find them in the cache.
        var touched: UInt64 = 0
        for start in stride(from: 0, to: verdicts.count, by: 256) {
            let group = start..<min(start + 256, verdicts.count)
            for index in group { touched ^= touch(verdicts[index]) }
            for index in group { resolveDuplicates(batch[index], &verdicts[index]) }
        }
        touchedSink = touched
    }

    @inline(__always)
    private func touch(_ verdict: RowVerdict) -> UInt64 {
        var touched: UInt64 = 0
        if let key = verdict.emailKey { touched ^= emails.touch(key) }
        if let key = verdict.addressKey { touched ^= addresses.touch(key) }
        return touched
    }

    /// Every check of every row but the duplicate one, for `validate(_:into:)` of another
    /// validator to finish: run on the reading thread while the checking thread is behind.
    /// The verdicts go into an earlier batch's list when there is one to reuse.
    public func check(_ batch: RecordBatch) -> CheckedRows {
        let rows = batch.reusable as? CheckedRows ?? CheckedRows(verdicts: [])
        checkEveryRow(of: batch, into: &rows.verdicts)
        return rows
    }

    /// `verdicts` emptied (its storage kept), then filled with every row's verdict but duplicates.
    private func checkEveryRow(of batch: RecordBatch, into verdicts: inout [RowVerdict]) {
        verdicts.removeAll(keepingCapacity: true)
        for index in 0..<batch.count { verdicts.append(check(batch[index])) }
    }

    /// Keeps the touching loads from being optimised away.
    @exclusivity(unchecked) private var touchedSink: UInt64 = 0

    /// Every check but the duplicate one, which needs the rows before it.
    private func check(_ record: Record) -> RowVerdict {
        var verdict = RowVerdict(line: record.line)
        if let problem = record.problem {
            report(structureFinding(problem, record: record), into: &verdict)
            return verdict
        }
        prepareArena(for: record)
        checkEncoding(record, into: &verdict)
        cleanAll(presentPlainText, record, &verdict)
        if splitsFullName { splitFullName(record, &verdict) }
        checkDoubleEncoding(record, &verdict)
        checkFirstName(record, &verdict)
        checkEmail(record, &verdict)
        checkPhone(record, &verdict)
        if options.method == .directSend { checkAddress(record, &verdict) }
        checkRowSettings(record, &verdict)
        // Keys are hashed by whichever validator checks the row (the one on the reading thread
        // has no replayer); duplicates are resolved by the one that has.
        if !options.allowDuplicates { duplicateKeys(&verdict) }
        if options.collectRecipients && !rechecking && !verdict.hasError { verdict.recipient = recipient(from: record) }
        return verdict
    }

    // MARK: - Values

    /// Makes room for every cleaned value of the row before any view points into the arena.
    private func prepareArena(for record: Record) {
        arenaUsed = 0
        let needed = record.byteCount * 2 + 4096
        if needed > arenaCapacity {
            arena.deallocate()
            arenaCapacity = needed
            arena = .allocate(capacity: arenaCapacity)
        }
        for ordinal in 0..<RecipientField.allCases.count {
            views[ordinal] = UnsafeBufferPointer(start: nil, count: 0)
        }
    }

    @inline(__always)
    private func value(_ field: RecipientField) -> UnsafeBufferPointer<UInt8> { views[field.ordinal] }

    private func text(_ field: RecipientField) -> String { String(decoding: value(field), as: UTF8.self) }

    private func original(_ field: RecipientField, _ record: Record) -> String {
        let column = columnOfField[field.ordinal]
        return column < 0 ? "" : record.string(at: column)
    }

    /// Replaces the field's value with `text` (a repair).
    private func set(_ field: RecipientField, _ text: String) {
        var text = text
        let count = text.withUTF8 { source -> Int in
            guard let base = source.baseAddress, arenaUsed + source.count <= arenaCapacity else { return -1 }
            (arena + arenaUsed).update(from: base, count: source.count)
            return source.count
        }
        guard count >= 0 else { return }
        views[field.ordinal] = UnsafeBufferPointer(start: arena + arenaUsed, count: count)
        arenaUsed += count
    }

    /// Writes "+1" and the ten digits into the arena as the phone's value, without a string.
    private func setE164(_ digits: UInt64) {
        guard arenaUsed + 12 <= arenaCapacity else { return }
        let output = arena + arenaUsed
        output[0] = UInt8(ascii: "+")
        output[1] = UInt8(ascii: "1")
        var rest = digits
        for position in stride(from: 11, through: 2, by: -1) {
            output[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        views[RecipientField.phone.ordinal] = UnsafeBufferPointer(start: output, count: 12)
        arenaUsed += 12
    }

    /// `clean` for each of `fields`, with the usual case (a value flagged clean as it was read)
    /// done here.
    @inline(__always)
    private func cleanAll(_ fields: FieldColumns, _ record: Record, _ verdict: inout RowVerdict) {
        for entry in fields.entries {
            if record.flags(at: entry.column).contains(.clean) {
                views[entry.field.ordinal] = record.bytes(at: entry.column)
            } else {
                clean(entry.field, record, &verdict)
            }
        }
    }

    /// Points the field at its value, trimmed and with whitespace collapsed (or only trimmed);
    /// a warning notes a change.
    private func clean(_ field: RecipientField, _ record: Record, _ verdict: inout RowVerdict, trimOnly: Bool = false) {
        let column = columnOfField[field.ordinal]
        guard column >= 0 else { return }
        let bytes = record.bytes(at: column)
        if record.flags(at: column).contains(.clean) || Whitespace.isClean(bytes) {
            views[field.ordinal] = bytes
            return
        }
        let output = UnsafeMutableBufferPointer(start: arena + arenaUsed, count: bytes.count)
        let length = trimOnly ? Whitespace.trim(bytes, into: output) : Whitespace.collapse(bytes, into: output)
        views[field.ordinal] = UnsafeBufferPointer(start: arena + arenaUsed, count: length)
        arenaUsed += length
        if length > 0 && !views[field.ordinal].elementsEqual(bytes) {
            note(.whitespaceCleaned, field, record, &verdict) {
                (
                    "extra spaces or invisible characters were removed: \"\(self.text(field))\"",
                    "nothing to do; clean the cell in the source to silence this"
                )
            }
        }
    }

    // MARK: - Findings

    private func report(_ finding: Finding, into verdict: inout RowVerdict) {
        verdict.codes.insert(finding.code)
        verdict.findings.append(finding)
    }

    /// Records a finding on `field`; the text is built only when it will be shown.
    private func note(
        _ code: FindingCode, _ field: RecipientField?, _ record: Record, _ verdict: inout RowVerdict,
        value: String? = nil, relatedLine: Int? = nil, _ text: () -> (message: String, fix: String)
    ) {
        verdict.codes.insert(code)
        if rechecking { return }
        if code.severity == .warning, let limit = detailedWarningsPerKind {
            guard detailedWarnings[code.ordinal] < limit else { return }
            detailedWarnings[code.ordinal] += 1
        }
        let (message, fix) = text()
        verdict.findings.append(
            Finding(
                code: code, line: record.line, column: field.flatMap { refs[$0.ordinal] },
                value: value ?? field.map { original($0, record) } ?? "", message: message, fix: fix,
                relatedLine: relatedLine))
    }

    // MARK: - Checks

    private func columnRef(_ column: Int) -> ColumnRef {
        ColumnRef(index: column, header: column < mapping.header.count ? mapping.header[column] : "")
    }

    private func structureFinding(_ problem: RecordProblem, record: Record) -> Finding {
        switch problem {
        case .strayQuote(let column, let rest):
            return Finding(
                code: .strayQuote, line: record.line, column: columnRef(column),
                value: rest,
                message:
                    "a quotation mark (\") stands inside this value, which is not quoted (or text follows a closing quote), so the row cannot be split into columns reliably from here on; the rejected file keeps this value and the rest of the line, as they were, in this column",
                fix:
                    "put the whole value in double quotes and double each quote inside it (\"Robert \"\"Bob\"\" Smith\"), or remove the stray quote"
            )
        case .tooManyValues(let found, let expected):
            return Finding(
                code: .tooManyValues, line: record.line, column: nil, value: "\(found) values",
                message: "the row has \(found) values but the header has \(expected) columns",
                fix:
                    "a value probably contains the delimiter without quotes around it (for example an address with a comma): quote that value or remove the extra delimiter"
            )
        case .tooFewValues(let found, let expected):
            return Finding(
                code: .tooFewValues, line: record.line, column: nil, value: "\(found) values",
                message: "the row has \(found) values but the header has \(expected) columns",
                fix:
                    "the row may have been split by a line break inside a value that is not quoted; join it back or quote the value"
            )
        }
    }

    private func checkEncoding(_ record: Record, into verdict: inout RowVerdict) {
        guard !record.flagsUnion.isEmpty else { return }
        for column in 0..<record.count {
            let flags = record.flags(at: column).intersection(.problems)
            guard !flags.isEmpty else { continue }
            let value = record.string(at: column)
            if flags.contains(.containsNUL) {
                report(
                    Finding(
                        code: .nulByte, line: record.line, column: columnRef(column), value: value.replacingNUL,
                        message:
                            "the value holds a NUL byte, which text never contains: the file may be damaged or saved in another encoding",
                        fix: "retype the value, or export the spreadsheet again as CSV UTF-8"), into: &verdict)
            }
            if flags.contains(.invalidUTF8) {
                report(
                    Finding(
                        code: .invalidUTF8, line: record.line, column: columnRef(column), value: value,
                        message: "the value is not valid UTF-8 although --encoding utf-8 was given",
                        fix: "leave out --encoding to let goody-batch detect it, or fix the characters in the source"),
                    into: &verdict)
            }
            if flags.contains(.readAsWindows1252) {
                report(
                    Finding(
                        code: .readAsWindows1252, line: record.line, column: columnRef(column), value: value,
                        message:
                            "this value was not valid UTF-8 like the rest of the file, so it was read as Windows-1252: \"\(value)\"",
                        fix: "check the spelling; export the file again as CSV UTF-8 to be sure"), into: &verdict)
            }
        }
    }

    private func checkFirstName(_ record: Record, _ verdict: inout RowVerdict) {
        if mapping.usesPreferredName, !value(.preferredName).isEmpty {
            let preferred = value(.preferredName)
            // "Kim Allen" greets Kim: the first word when the preferred name carries the last name.
            if let greeting = PreferredName.greeting(preferred: text(.preferredName), last: text(.lastName)) {
                views[RecipientField.firstName.ordinal] = UnsafeBufferPointer(rebasing: preferred[greeting])
            } else {
                views[RecipientField.firstName.ordinal] = preferred
            }
        }
        guard value(.firstName).isEmpty else { return }
        note(.firstNameMissing, .firstName, record, &verdict) {
            (
                "the first name is empty; Goody needs a first name for every recipient",
                "fill in the recipient's first name"
            )
        }
    }

    private func checkEmail(_ record: Record, _ verdict: inout RowVerdict) {
        let required = options.method == .emailAndLink
        if value(.email).isEmpty {
            if required {
                note(.emailMissing, .email, record, &verdict) {
                    (
                        "the email is empty; email_and_link sends each gift by email",
                        "fill in the recipient's email, or send this person a gift link (--send-method link_multiple_custom_list)"
                    )
                }
            }
            return
        }
        switch Email.check(bytes: value(.email)) {
        case .valid:
            break
        case .cleaned(let address):
            note(.emailCleaned, .email, record, &verdict) {
                (
                    "the email was wrapped in other text; \"\(address)\" is used",
                    "nothing to do; keep only the address in the cell to silence this"
                )
            }
            set(.email, address)
        case .invalid(let reason):
            let reserved = reason.contains("reserved for examples")
            guard required || reserved else {
                // Optional here: Goody would refuse the batch over it, so the gift goes without it.
                note(.emailDropped, .email, record, &verdict) {
                    (
                        "\"\(self.text(.email))\" is not an email address (\(reason)), so it is left out; the gift still goes",
                        "nothing to do; to send it, correct the address"
                    )
                }
                views[RecipientField.email.ordinal] = UnsafeBufferPointer(start: nil, count: 0)
                return
            }
            note(.emailInvalid, .email, record, &verdict) {
                (
                    "\"\(self.text(.email))\" is not an email address: \(reason)",
                    reserved ? "put in the recipient's real address, or delete the row" : "correct the address"
                )
            }
        }
    }

    private func checkPhone(_ record: Record, _ verdict: inout RowVerdict) {
        guard !value(.phone).isEmpty else { return }
        switch Phone.check(bytes: value(.phone)) {
        case .valid:
            break
        case .normalized(let digits, let droppedExtension):
            // Rewriting into E.164 changes nothing a person would see; dropping an extension does.
            if droppedExtension {
                note(.phoneNormalized, .phone, record, &verdict) {
                    (
                        "written as \(Phone.e164(digits)): the extension was dropped, since text messages cannot dial it",
                        "nothing to do"
                    )
                }
            }
            setE164(digits)
        case .invalid(let reason):
            note(.phoneInvalid, .phone, record, &verdict) {
                (
                    "\"\(self.text(.phone))\" is not a valid US phone number (\(reason)), so it is left out; the gift still goes",
                    "nothing to do; to send it, write it as a 10-digit US number such as (555) 234-7890"
                )
            }
            // Optional: Goody would refuse the whole batch over it, so the recipient goes without it.
            views[RecipientField.phone.ordinal] = UnsafeBufferPointer(start: nil, count: 0)
        }
    }

    private func checkAddress(_ record: Record, _ verdict: inout RowVerdict) {
        cleanAll(presentAddress, record, &verdict)
        for (field, code, name) in requiredAddress where value(field).isEmpty {
            note(code, field, record, &verdict) {
                (
                    "\(name) is empty; direct_send ships the gift to a full US mailing address",
                    "fill in \(name), or send this person a gift link instead (email_and_link or link_multiple_custom_list)"
                )
            }
        }
        // Outside the US, the state and ZIP rules would only repeat that one problem.
        guard checkCountry(record, &verdict) else { return }
        checkState(record, &verdict)
        checkPostalCode(record, &verdict)
        if !value(.address1).isEmpty && (AddressRisk.isPOBox(value(.address1)) || AddressRisk.isPOBox(value(.address2)))
        {
            note(.poBox, .address1, record, &verdict) {
                (
                    "this is a PO box; many carriers of gift boxes (UPS, FedEx) cannot deliver to one",
                    "use a street address if you have one"
                )
            }
        }
        if AddressRisk.isMilitary(city: value(.city), state: value(.state)) {
            note(.militaryAddress, .city, record, &verdict) {
                (
                    "this is an APO/FPO/DPO military address; delivery takes weeks and some products cannot ship there",
                    "confirm the address with the recipient, or send a gift link instead"
                )
            }
        }
    }

    private func checkState(_ record: Record, _ verdict: inout RowVerdict) {
        let bytes = value(.state)
        if bytes.isEmpty { return }
        if bytes.count == 2, bytes[0] < 0x5B, bytes[1] < 0x5B, USStates.isCode(bytes[0], bytes[1]) { return }
        if let code = USStates.code(for: bytes) {
            note(.stateNormalized, .state, record, &verdict) {
                ("\"\(self.text(.state))\" written as its USPS code \(code)", "nothing to do")
            }
            set(.state, code)
        } else {
            let written = text(.state)
            note(.stateInvalid, .state, record, &verdict) {
                (
                    "\"\(written)\" is not a US state, territory or military code",
                    "write the two-letter USPS code (CA, NY, PR, AE…) or the state's full name; Goody ships direct-send gifts within the US only"
                )
            }
        }
    }

    private func checkPostalCode(_ record: Record, _ verdict: inout RowVerdict) {
        let bytes = value(.postalCode)
        if bytes.isEmpty || PostalCode.isCanonical(bytes) { return }
        let written = text(.postalCode)
        switch PostalCode.check(written) {
        case .valid:
            break
        case .repaired(let zip, let reason):
            note(.postalCodeRepaired, .postalCode, record, &verdict) {
                (
                    "\"\(written)\" repaired to \(zip): \(reason)",
                    "check it; in Excel, format the ZIP column as Text so it keeps its zeros"
                )
            }
            set(.postalCode, zip)
        case .digitsLost(let approximate):
            note(.postalCodeDigitsLost, .postalCode, record, &verdict) {
                (
                    "\"\(written)\" is a number in scientific notation (about \(approximate)); Excel dropped digits, so the ZIP code cannot be recovered",
                    "type the ZIP code again, with the column formatted as Text"
                )
            }
        case .invalid(let reason):
            note(.postalCodeInvalid, .postalCode, record, &verdict) {
                ("\"\(written)\" is not a US ZIP code: \(reason)", "write the 5-digit ZIP code (12345 or 12345-6789)")
            }
        }
    }

    /// Notes the country and returns false when it is outside the US.
    private func checkCountry(_ record: Record, _ verdict: inout RowVerdict) -> Bool {
        let bytes = value(.country)
        if bytes.count == 2 && bytes[0] == UInt8(ascii: "U") && bytes[1] == UInt8(ascii: "S") { return true }
        switch Country.classify(bytes) {
        case .us:
            break
        case .usRenamed:
            note(.countryNormalized, .country, record, &verdict) {
                ("\"\(self.text(.country))\" written as US", "nothing to do")
            }
        case .empty:
            // A missing column is said once for the file; an empty cell is said on its row.
            if columnOfField[RecipientField.country.ordinal] >= 0 {
                note(.countryAssumedUS, .country, record, &verdict) {
                    (
                        "the country is empty and is taken as US",
                        "fill in US to silence this; if the person lives outside the US, send a gift link instead"
                    )
                }
            }
        case .other:
            note(.countryUnsupported, .country, record, &verdict) {
                (
                    "\"\(self.text(.country))\" is outside the US; Goody ships direct-send gifts to US addresses only",
                    "send this person a gift link instead (email_and_link or link_multiple_custom_list), in a separate file"
                )
            }
            return false
        }
        set(.country, "US")
        return true
    }

    private func checkRowSettings(_ record: Record, _ verdict: inout RowVerdict) {
        clean(.message, record, &verdict, trimOnly: true)
        cleanAll(presentSettings, record, &verdict)
        if value(.product).count > 200 {
            note(.productInvalid, .product, record, &verdict) {
                (
                    "the product is longer than 200 characters; it should be a product ID or name",
                    "write the product's ID or its name from the catalogue"
                )
            }
        }
        if !value(.variants).isEmpty, VariantList.parse(text(.variants)) == nil {
            note(.variantsInvalid, .variants, record, &verdict) {
                ("the variant list has an empty name", "separate variant names with semicolons: Sugar; Chocolate")
            }
        }
        if !value(.amount).isEmpty, (GiftAmount.cents(text(.amount)) ?? 0) <= 0 {
            note(.amountInvalid, .amount, record, &verdict) {
                (
                    "\"\(self.text(.amount))\" is not an amount of money above zero",
                    "write dollars and cents, such as 25 or 25.00"
                )
            }
        }
        if !value(.sendDate).isEmpty, SendDate(parsing: text(.sendDate)) == nil {
            note(.sendDateInvalid, .sendDate, record, &verdict) {
                (
                    "\"\(self.text(.sendDate))\" is not a date goody-batch can read",
                    "write the date as YYYY-MM-DD (2026-12-01), optionally with a time (2026-12-01 09:00)"
                )
            }
        }
        if value(.fromName).count > 100 {
            note(.fromNameInvalid, .fromName, record, &verdict) {
                ("the from name is longer than 100 characters", "shorten it")
            }
        }
    }

    /// Hashes the keys two rows must not share: the email, and (direct send) name and address.
    private func duplicateKeys(_ verdict: inout RowVerdict) {
        if !value(.email).isEmpty && !verdict.codes.contains(.emailInvalid) {
            var hasher = KeyHasher()
            hasher.addLowercased(value(.email))
            verdict.emailKey = hasher.finalize() & options.duplicateHashMask
        }
        guard options.method == .directSend, !value(.address1).isEmpty, !value(.postalCode).isEmpty else { return }
        // The ZIP code stands for the city, so the city is left out of the key.
        let parts = keyParts
        for (index, field) in addressKeyFields.enumerated() { parts[index] = value(field) }
        parts[addressKeyFields.count] = UnsafeBufferPointer(rebasing: value(.postalCode).prefix(5))
        var hasher = KeyHasher()
        for part in parts { hasher.addLowercased(part) }
        verdict.addressKey = hasher.finalize() & options.duplicateHashMask
    }

    /// The key `record` has for `code`, as the bytes its hash was made from (ASCII letters
    /// lowercased; an address's parts each after its length); nil when it has none. The row is
    /// checked again for it, quietly, so the key is made exactly as the first time.
    private func key(of record: Record, _ code: FindingCode) -> [UInt8]? {
        rechecking = true
        let verdict = check(record)
        rechecking = false
        var key: [UInt8] = []
        func append(_ part: UnsafeBufferPointer<UInt8>) {
            for byte in part { key.append(byte &- 0x41 < 26 ? byte | 0x20 : byte) }
        }
        if code == .duplicateEmail {
            guard verdict.emailKey != nil else { return nil }
            append(value(.email))
        } else {
            guard verdict.addressKey != nil else { return nil }
            for part in keyParts {
                withUnsafeBytes(of: UInt32(part.count).littleEndian) { key.append(contentsOf: $0) }
                append(part)
            }
        }
        return key
    }

    /// The key of the row on `line`, read again from the file.
    private func earlierKey(line: Int, _ code: FindingCode) -> [UInt8]? {
        let slot = code == .duplicateEmail ? 0 : 1
        if lastEarlier[slot].line == line { return lastEarlier[slot].key }
        var key: [UInt8]?
        let read = replayer?.forEachRecord(from: line, before: line + 1) { row in
            key = self.key(of: row, code)
            return true
        }
        // The row was indexed for this key, so it has one: without it, the file has changed.
        if read != true || key == nil { rereadFailed = true }
        lastEarlier[slot] = (line, key)
        return key
    }

    /// The earlier line with the same key. The index finds an earlier row whose key hashed the
    /// same; the two rows' own keys say whether they really are the same, and a refuted
    /// agreement is kept exactly in `collided`.
    private func earlierLine(_ code: FindingCode, hash: UInt64, record: Record) -> Int? {
        let remembered =
            code == .duplicateEmail ? emails.insert(hash, line: record.line) : addresses.insert(hash, line: record.line)
        guard let remembered, let replayer, let key = key(of: record, code) else { return nil }
        var earlier: Int?
        if remembered < DuplicateIndex.maxLine {
            if earlierKey(line: remembered, code) == key { earlier = remembered }
        } else {
            // Lines past the index's range are remembered as its last: any of them may be the one.
            let read = replayer.forEachRecord(from: remembered, before: record.line) { row in
                if self.key(of: row, code) == key { earlier = row.line }
                return earlier != nil
            }
            if !read { rereadFailed = true }
        }
        if let earlier { return earlier }
        if let first = collided[code]?[key] { return first }
        collided[code, default: [:]][key] = record.line
        return nil
    }

    private func resolveDuplicates(_ record: Record, _ verdict: inout RowVerdict) {
        if let key = verdict.emailKey, let earlier = earlierLine(.duplicateEmail, hash: key, record: record) {
            note(.duplicateEmail, .email, record, &verdict, relatedLine: earlier) {
                (
                    "line \(earlier) has the same email, so this person would get two gifts",
                    "remove one of lines \(earlier) and \(record.line); if two gifts are intended, add --allow-duplicates"
                )
            }
        }
        if let key = verdict.addressKey, let earlier = earlierLine(.duplicateAddress, hash: key, record: record) {
            note(.duplicateAddress, .address1, record, &verdict, relatedLine: earlier) {
                (
                    "line \(earlier) has the same name and address, so this person would get two gifts",
                    "remove one of lines \(earlier) and \(record.line); if two gifts are intended, add --allow-duplicates"
                )
            }
        }
        if verdict.hasError { verdict.recipient = nil }
    }

    /// Names and addresses saved as UTF-8 twice ("JosÃ©"): a warning with the value as it was.
    private func checkDoubleEncoding(_ record: Record, _ verdict: inout RowVerdict) {
        for field in doubleEncodingFields {
            let column = columnOfField[field.ordinal]
            // Plain ASCII (the usual value) cannot be encoded twice.
            guard column >= 0, !record.flags(at: column).contains(.clean), DoubleEncoding.mightBe(value(field)) else {
                continue
            }
            let shown = text(field)
            guard let repaired = DoubleEncoding.repaired(shown) else { continue }
            note(.doubleEncoded, field, record, &verdict) {
                (
                    "\"\(shown)\" looks saved as UTF-8 twice; it is probably \"\(repaired)\"",
                    "export the file again as CSV UTF-8, or write \"\(repaired)\" in the cell"
                )
            }
        }
    }

    /// "Lee, Ann" or "Ann Lee" → first name Ann, last name Lee, with a warning that says so.
    private func splitFullName(_ record: Record, _ verdict: inout RowVerdict) {
        clean(.fullName, record, &verdict)
        let full = text(.fullName)
        guard !full.isEmpty else { return }
        let (first, last) = FullName.split(full)
        set(.firstName, first)
        if let last, value(.lastName).isEmpty { set(.lastName, last) }
        note(.nameSplit, .fullName, record, &verdict) {
            (
                "\"\(full)\" is read as first name \"\(first)\"" + (last.map { ", last name \"\($0)\"" } ?? ""),
                "nothing to do if that is right; otherwise add First Name and Last Name columns"
            )
        }
    }

    // MARK: - Recipient

    private func optional(_ field: RecipientField) -> String? {
        value(field).isEmpty ? nil : text(field)
    }

    private func recipient(from record: Record) -> Recipient {
        var address: MailingAddressInput?
        if options.method == .directSend {
            address = MailingAddressInput(
                firstName: text(.firstName), lastName: optional(.lastName), address1: text(.address1),
                address2: optional(.address2), city: text(.city), state: text(.state),
                postalCode: text(.postalCode), country: "US")
        }
        let settings = RowSettings(
            product: optional(.product), variants: optional(.variants).flatMap(VariantList.parse),
            amountCents: optional(.amount).flatMap(GiftAmount.cents), message: optional(.message),
            fromName: optional(.fromName), sendDate: optional(.sendDate).flatMap(SendDate.init(parsing:)))
        return Recipient(
            line: record.line, firstName: text(.firstName), lastName: optional(.lastName), email: optional(.email),
            phone: optional(.phone), address: address, manager: optional(.manager), employeeID: optional(.employeeID),
            settings: settings, values: record.strings(width: mapping.header.count))
    }
}

/// Rows checked on the reading thread, waiting for their duplicates to be resolved.
public final class CheckedRows {
    fileprivate var verdicts: [RowVerdict]
    init(verdicts: [RowVerdict]) { self.verdicts = verdicts }
}

final class RecipientBox {
    let value: Recipient
    init(_ value: Recipient) { self.value = value }
}

extension String {
    /// NUL shown as the visible symbol ␀, so terminals and JSON show where it was.
    var replacingNUL: String { replacing("\u{0}", with: "␀") }
}
