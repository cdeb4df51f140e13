public import Foundation
import GoodyAPI
public import Recipients

/// What a send is for. A gift is a person, an occasion and its occurrence: a work anniversary
/// comes once a year (`work_anniversary:2027`), a birthday too (`birthday:2027`), a welcome gift
/// once (`new_hire`), and a one-off campaign by its name (`holiday-2026`).
public enum OccasionKind: Sendable, Hashable {
    case workAnniversary
    case birthday
    case newHire
    /// A one-off campaign; the name is kept as written in lowercase, spaces as dashes.
    case campaign(String)

    /// "work_anniversary", "Birthday", "new hire", "holiday-2026".
    public init?(_ text: String) {
        let key = HeaderKey.normalize(text)
        switch key {
        case "": return nil
        case "workanniversary", "workanniversaries", "anniversary", "anniversaries", "serviceanniversary":
            self = .workAnniversary
        case "birthday", "birthdays": self = .birthday
        case "newhire", "newhires", "welcome", "onboarding": self = .newHire
        default:
            let slug = text.lowercased().split(whereSeparator: {
                !($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_")
            })
            .joined(separator: "-")
            guard !slug.isEmpty else { return nil }
            self = .campaign(slug)
        }
    }

    /// The name in the occurrence key and the ledger: "work_anniversary".
    public var name: String {
        switch self {
        case .workAnniversary: "work_anniversary"
        case .birthday: "birthday"
        case .newHire: "new_hire"
        case .campaign(let name): name
        }
    }

    /// "work anniversary", for sentences.
    public var words: String {
        switch self {
        case .workAnniversary: "work anniversary"
        case .birthday: "birthday"
        case .newHire: "new hire"
        case .campaign(let name): "campaign \(name)"
        }
    }

    /// Dated occasions take their day from a column of the roster.
    public var isDated: Bool {
        if case .campaign = self { return false }
        return true
    }

    /// What the date column holds, for messages: "hire date".
    var dateWords: String {
        switch self {
        case .workAnniversary: "hire date"
        case .birthday: "date of birth"
        case .newHire: "start date"
        case .campaign: "date"
        }
    }

    /// Column names that hold the occasion's date, best first, normalised by `HeaderKey`.
    var dateColumnAliases: [String] {
        switch self {
        case .workAnniversary:
            [
                "hiredate", "originalhiredate", "startdate", "dateofhire", "employmentstartdate",
                "continuousservicedate", "servicedate", "senioritydate", "joindate", "datejoined",
            ]
        case .newHire:
            ["startdate", "hiredate", "firstday", "firstdayofwork", "employmentstartdate", "dateofhire", "joindate"]
        case .birthday: ["dateofbirth", "birthdate", "birthday", "dob", "birthdayday"]
        case .campaign: []
        }
    }

    /// Card occasions that mean this occasion (Goody's cards name theirs: "Work Anniversary").
    public var cardOccasions: [String] {
        switch self {
        case .workAnniversary: ["workanniversary", "anniversary"]
        case .birthday: ["birthday"]
        case .newHire: ["onboarding", "welcome", "newhire"]
        case .campaign(let name): [HeaderKey.normalize(name.split(separator: "-").first.map(String.init) ?? name)]
        }
    }
}

/// One occurrence of an occasion for one person: what makes their gift this year's.
public struct Occurrence: Sendable, Hashable, Codable {
    /// The occasion and its occurrence, as the ledger keeps it: "work_anniversary:2027",
    /// "birthday:2027", "new_hire", "holiday-2026".
    public var key: String
    /// The day of the occasion (an anniversary, a birthday, the welcome gift's day); none for a
    /// one-off campaign.
    public var date: CivilDate?
    /// Completed years, for work anniversaries.
    public var years: Int?
    /// The milestone tier that chose the gift ("5 years", "default").
    public var tier: String?
    /// The day had passed already when the plan was made: the gift goes now.
    public var dayPassed = false
}

/// A row whose occasion is not in the window: counted and listed, never an error.
public struct NotDue: Sendable, Hashable, Codable {
    public var line: Int
    public var reason: String
    public var date: String?
}

/// The occasion of a send worked out for every row: which rows are due in the window, on which
/// day and with which milestone's gift, and why the others are not.
public struct OccasionRule: Sendable {
    public let kind: OccasionKind
    /// The days gifted; nil for a one-off campaign.
    public let window: ClosedRange<CivilDate>?
    /// How the window was given ("next-month"), for the plan.
    public let windowText: String?
    public let sendHour: Int
    public let sendMinute: Int
    public let timeZone: TimeZone
    /// False when this machine's zone is used because none was given.
    public let timeZoneGiven: Bool
    public let newHireDays: Int
    /// The column the dates are read from.
    public let dateColumn: ColumnRef?
    /// Other columns that could have held the date, for the plan to name.
    public let otherDateColumns: [ColumnRef]
    let reader: DateColumnReader?
    public let today: CivilDate
    let now: Date
    /// The last day Goody schedules a gift for, from today: three months ahead.
    public let scheduleLimit: CivilDate

    /// How many months ahead Goody schedules a gift (per Goody's own tools).
    public static let scheduleMonths = 3

    /// The last day a gift can be scheduled for, seen from `now`.
    public static func scheduleLimit(now: Date, timeZone: TimeZone) -> CivilDate {
        CivilDate(now, in: timeZone).adding(months: scheduleMonths)
    }

    init(
        campaign: CampaignSettings, kind: OccasionKind, header: [String], values: (Int) -> [String],
        dates1904: Bool, now: Date, timeZone machineZone: TimeZone
    ) throws(PlanError) {
        self.kind = kind
        self.now = now
        if let name = campaign.timeZone {
            guard let zone = TimeZone(identifier: name.trimmingCharacters(in: .whitespaces)) else {
                throw PlanError(
                    "The time zone \"\(name)\" is not one goody-batch knows; write an IANA name such as America/New_York or Europe/Berlin."
                )
            }
            timeZone = zone
            timeZoneGiven = true
        } else {
            timeZone = machineZone
            timeZoneGiven = false
        }
        today = CivilDate(now, in: timeZone)
        scheduleLimit = Self.scheduleLimit(now: now, timeZone: timeZone)
        (sendHour, sendMinute) = try Self.time(campaign.sendTime ?? "09:00")
        newHireDays = campaign.newHireDays ?? 0
        guard newHireDays >= 0 else {
            throw PlanError("new_hire_days cannot be negative; \(newHireDays) was given.")
        }
        if campaign.newHireDays != nil && kind != .newHire {
            throw PlanError("new_hire_days is for the new_hire occasion; this campaign is a \(kind.words).")
        }
        if campaign.milestones != nil && kind != .workAnniversary {
            throw PlanError("milestones are for work anniversaries; this campaign is a \(kind.words).")
        }
        guard kind.isDated else {
            window = nil
            windowText = campaign.window
            dateColumn = nil
            otherDateColumns = []
            reader = nil
            if campaign.window != nil {
                throw PlanError(
                    "A window is for work_anniversary, birthday and new_hire; \(kind.words) sends to everyone in the file (send_on: schedules it)."
                )
            }
            return
        }
        if campaign.sendOn != nil {
            throw PlanError(
                "send_on (--send-on) and a \(kind.words) occasion cannot go together: each gift goes on the person's own day. Use send_time: for the hour."
            )
        }
        guard let windowSetting = campaign.window else {
            throw PlanError(
                "A \(kind.words) campaign needs a window: the days whose \(kind.words)s are gifted. Add --window 2027-01 (a month), --window next-month, or --window 2027-01-01..2027-01-31 (window: in the campaign file)."
            )
        }
        window = try Self.window(windowSetting, today: today)
        windowText = windowSetting
        let found = try Self.dateColumn(campaign.dateColumn, kind: kind, header: header)
        dateColumn = found.chosen
        otherDateColumns = found.others
        do {
            reader = try DateColumnReader(
                values: values(found.chosen.index), given: campaign.dateOrder, dates1904: dates1904, today: today)
        } catch {
            throw PlanError(
                "The dates in \(found.chosen.description) could be month/day/year or day/month/year (\(error.example) is either \(Self.bothReadings(error.example))), and no value of the column settles it. Add --date-order mdy (US) or --date-order dmy (day first), or date_order: in the campaign file."
            )
        }
    }

    private static func bothReadings(_ example: String) -> String {
        guard let pair = DateColumnReader.numericPair(example) else { return "ambiguous" }
        let months = CivilDate.monthNames
        guard (1...12).contains(pair.first), (1...12).contains(pair.second) else { return "ambiguous" }
        return "\(pair.second) \(months[pair.first - 1]) or \(pair.first) \(months[pair.second - 1])"
    }

    /// "09:00", "9am", "14:30".
    static func time(_ text: String) throws(PlanError) -> (Int, Int) {
        var body = text.trimmingCharacters(in: .whitespaces).lowercased()
        let meridiem = body.hasSuffix("am") ? "am" : body.hasSuffix("pm") ? "pm" : nil
        if meridiem != nil { body = String(body.dropLast(2)).trimmingCharacters(in: .whitespaces) }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...2).contains(parts.count), var hour = parts[0], let minute = parts.count == 2 ? parts[1] : 0,
            (0...59).contains(minute), (meridiem == nil ? 0...23 : 1...12).contains(hour)
        else {
            throw PlanError("The send time \"\(text)\" is not a time of day; write it as 09:00 or 14:30.")
        }
        if meridiem == "pm" && hour < 12 { hour += 12 }
        if meridiem == "am" && hour == 12 { hour = 0 }
        return (hour, minute)
    }

    /// "2027-01", "2027-01..2027-03", "2027-01-01..2027-01-31", "2027-01-15", "this-month",
    /// "next-month" → the days gifted. At most a year, so nobody has two occurrences in one.
    static func window(_ text: String, today: CivilDate) throws(PlanError) -> ClosedRange<CivilDate> {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let bad = PlanError(
            "The window \"\(text)\" is not one goody-batch can read; write a month (2027-01), two dates (2027-01-01..2027-01-31), this-month or next-month."
        )
        func month(_ offset: Int) -> ClosedRange<CivilDate> {
            let first = CivilDate(uncheckedYear: today.year, month: today.month, day: 1).adding(months: offset)
            return CivilDate.month(first.year, first.month)
        }
        func part(_ text: Substring, end: Bool) throws(PlanError) -> CivilDate {
            let numbers = text.split(separator: "-").map { Int($0) }
            guard numbers.allSatisfy({ $0 != nil }) else { throw bad }
            switch numbers.count {
            case 2:
                guard let year = numbers[0], let number = numbers[1], (1...12).contains(number) else { throw bad }
                let range = CivilDate.month(year, number)
                return end ? range.upperBound : range.lowerBound
            case 3:
                guard let year = numbers[0], let number = numbers[1], let day = numbers[2],
                    let date = CivilDate(year: year, month: number, day: day)
                else { throw bad }
                return date
            default: throw bad
            }
        }
        let range: ClosedRange<CivilDate>
        switch trimmed {
        case "this-month", "thismonth", "this month": range = month(0)
        case "next-month", "nextmonth", "next month": range = month(1)
        default:
            let ends = trimmed.components(separatedBy: "..")
            guard (1...2).contains(ends.count) else { throw bad }
            let first = try part(Substring(ends[0]), end: false)
            let last = try part(Substring(ends[ends.count - 1]), end: true)
            guard first <= last else {
                throw PlanError("The window \"\(text)\" ends before it starts; give the earlier date first.")
            }
            range = first...last
        }
        guard range.upperBound.dayNumber - range.lowerBound.dayNumber < 366 else {
            throw PlanError(
                "The window \"\(text)\" is longer than a year; a window covers at most one occurrence of each person's day."
            )
        }
        return range
    }

    /// The column named by `date_column`, or found by the occasion's column names.
    static func dateColumn(_ named: String?, kind: OccasionKind, header: [String]) throws(PlanError) -> (
        chosen: ColumnRef, others: [ColumnRef]
    ) {
        let columns = header.enumerated().map { ColumnRef(index: $0.offset, header: $0.element) }
        if let named {
            let key = HeaderKey.normalize(named)
            guard
                let column = columns.first(where: { $0.header == named })
                    ?? columns.first(where: {
                        HeaderKey.normalize($0.header) == key
                    })
            else {
                throw PlanError(
                    "There is no column \"\(named)\" (date_column, --date-column). The columns are: \(PlanError.list(header, limit: 40))."
                )
            }
            return (column, [])
        }
        // A column whose name is an alias, or ends with one after a prefix ("Worker - Hire Date").
        var ranked: [(rank: Int, column: ColumnRef)] = []
        for column in columns {
            let key = HeaderKey.normalize(column.header)
            if let rank = kind.dateColumnAliases.firstIndex(where: { key == $0 || key.hasSuffix($0) }) {
                ranked.append((rank, column))
            }
        }
        ranked.sort { ($0.rank, $0.column.index) < ($1.rank, $1.column.index) }
        guard let best = ranked.first else {
            let expected = kind.dateColumnAliases.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")
            throw PlanError(
                "A \(kind.words) gift needs each person's \(kind.dateWords), and no column is one (looked for names such as \(expected)). Name the column with --date-column \"HEADER\" (date_column: in the campaign file). The columns are: \(PlanError.list(header, limit: 40))."
            )
        }
        if ranked.count > 1, ranked[1].rank == best.rank,
            HeaderKey.normalize(ranked[1].column.header)
                == HeaderKey.normalize(best.column.header)
        {
            throw PlanError(
                "Two columns could hold the \(kind.dateWords): \(best.column.description) and \(ranked[1].column.description). Choose one with --date-column \"HEADER\"."
            )
        }
        return (best.column, ranked.dropFirst().map(\.column))
    }

    /// Works out the row's occurrence: due in the window (on which day, how many years), not due
    /// (and why), or a finding (no date, a date that cannot be read, a day too far ahead).
    public func evaluate(_ recipient: Recipient) -> Evaluation {
        guard kind.isDated, let window, let reader, let dateColumn else {
            return .due(Occurrence(key: kind.name))
        }
        let raw = dateColumn.index < recipient.values.count ? recipient.values[dateColumn.index] : ""
        let read: RosterDate
        switch reader.read(raw) {
        case .missing:
            return .finding(
                Finding(
                    code: .occasionDateMissing, line: recipient.line, column: dateColumn, value: "",
                    message: "there is no \(kind.dateWords), so the \(kind.words) cannot be worked out",
                    fix: "fill in the \(kind.dateWords) (YYYY-MM-DD), or leave the person out of this file"))
        case .unreadable(let reason):
            return .finding(
                Finding(
                    code: .occasionDateInvalid, line: recipient.line, column: dateColumn, value: raw,
                    message: "\(reason), so the \(kind.words) cannot be worked out",
                    fix: "write the \(kind.dateWords) as YYYY-MM-DD (or as the column's other dates are written)"))
        case .date(let date):
            read = date
        }
        let shown = read.description
        func notDue(_ reason: String) -> Evaluation {
            .notDue(NotDue(line: recipient.line, reason: reason, date: shown))
        }
        var day: CivilDate
        var key: String
        var years: Int?
        switch kind {
        case .workAnniversary, .newHire:
            guard let start = read.civil else {
                return .finding(
                    Finding(
                        code: .occasionDateInvalid, line: recipient.line, column: dateColumn, value: raw,
                        message: "\"\(raw)\" has no year, and a \(kind.words) needs the year they started",
                        fix: "write the full \(kind.dateWords) (YYYY-MM-DD)"))
            }
            if kind == .newHire {
                day = start.adding(days: newHireDays)
                key = kind.name
                guard window.contains(day) else {
                    let gift = newHireDays == 0 ? "" : " (their gift is due \(day.dayAndMonth) \(day.year))"
                    return notDue("starts on \(start.dayAndMonth) \(start.year)\(gift), not in the window")
                }
            } else {
                guard start <= today else {
                    return notDue("starts on \(start.dayAndMonth) \(start.year): a new hire, not an anniversary")
                }
                guard
                    let found = (window.lowerBound.year...window.upperBound.year).lazy.map({ start.anniversary(in: $0) }
                    )
                    .first(where: { window.contains($0) && $0.year > start.year })
                else {
                    return notDue("work anniversary on \(start.dayAndMonth), not in the window")
                }
                day = found
                years = found.year - start.year
                key = "\(kind.name):\(found.year)"
            }
        case .birthday:
            guard
                let found = (window.lowerBound.year...window.upperBound.year).lazy.map({ year in
                    CivilDate(
                        uncheckedYear: year, month: read.month,
                        day: min(read.day, CivilDate.days(inMonth: read.month, year: year)))
                }).first(where: { window.contains($0) })
            else {
                return notDue("birthday on \(read.day) \(CivilDate.monthNames[read.month - 1]), not in the window")
            }
            day = found
            key = "\(kind.name):\(found.year)"
        case .campaign:
            return .due(Occurrence(key: kind.name))
        }
        if day > scheduleLimit {
            return .finding(
                Finding(
                    code: .beyondScheduleLimit, line: recipient.line, column: dateColumn, value: raw,
                    message:
                        "the \(kind.words) is on \(day.spelled), and Goody schedules gifts at most \(Self.scheduleMonths) months ahead (until \(scheduleLimit.spelled))",
                    fix:
                        "send it with a window that ends by \(scheduleLimit) now, or run this window again on or after \(day.adding(months: -Self.scheduleMonths))"
                ))
        }
        var occurrence = Occurrence(key: key, date: day, years: years)
        occurrence.dayPassed = sendMoment(of: day) <= now
        return .due(occurrence)
    }

    /// When the gift goes on `day`: `send_time` in the zone.
    public func sendMoment(of day: CivilDate) -> Date {
        day.at(hour: sendHour, minute: sendMinute, in: timeZone)
    }

    public enum Evaluation: Sendable {
        case due(Occurrence)
        case notDue(NotDue)
        case finding(Finding)
    }

    /// "January 2027 (1–31 Jan)", for the plan.
    public var windowDescription: String {
        guard let window else { return "" }
        let first = window.lowerBound
        let last = window.upperBound
        if first.day == 1, last == CivilDate.month(first.year, first.month).upperBound {
            return "\(Self.fullMonths[first.month - 1]) \(first.year) (\(first) to \(last))"
        }
        return "\(first) to \(last)"
    }

    static let fullMonths = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]
}
