import Foundation
public import GoodyAPI

/// A date as an HR roster holds it: a hire date, a start date, a birthday (whose year may be
/// left out, as `MM/DD`).
public struct RosterDate: Sendable, Hashable {
    public var year: Int?
    public var month: Int
    public var day: Int

    /// The day, when the year is known.
    public var civil: CivilDate? { year.flatMap { CivilDate(year: $0, month: month, day: day) } }

    /// "2019-03-04", or "03-04" without a year.
    public var description: String {
        let monthDay = CivilDate.digits(month, 2) + "-" + CivilDate.digits(day, 2)
        return year.map { CivilDate.digits($0, 4) + "-" + monthDay } ?? monthDay
    }
}

/// Which number comes first in a date such as 03/04/2019.
public enum DateOrder: String, Sendable, Codable, CaseIterable {
    /// 03/04/2019 is 4 March (US).
    case mdy
    /// 03/04/2019 is 3 April (Europe, most of the world).
    case dmy

    var words: String {
        switch self {
        case .mdy: "month/day/year"
        case .dmy: "day/month/year"
        }
    }
}

/// Reads the dates of one column: ISO (`2019-03-04`), US `MM/DD/YYYY`, European `DD.MM.YYYY`
/// and `DD/MM/YYYY`, month names (`4 Mar 2019`, `Mar 4, 2019`), two-digit years, a time after
/// the date, dates without a year (`03/04`), and Excel day numbers (in the workbook's 1900 or
/// 1904 system). Whether 03/04 is March or April is decided once for the whole column, from its
/// values: a column whose first numbers go past 12 is day-first, one whose second numbers do is
/// month-first; a column that never says is a question (`--date-order`), never a guess.
public struct DateColumnReader: Sendable {
    /// Nil when no value of the column needs it.
    public let order: DateOrder?
    /// How the order was settled, for the plan to say ("decided from values such as 25/03/2019").
    public let orderReason: String?
    let dates1904: Bool
    let today: CivilDate

    /// Why a column's order cannot be settled: the question to put to the person.
    public struct Ambiguous: Error, Sendable {
        public var example: String
    }

    /// Settles the order from every value of the column. `given` (`--date-order`) wins.
    public init(values: [String], given: DateOrder?, dates1904: Bool, today: CivilDate) throws(Ambiguous) {
        self.dates1904 = dates1904
        self.today = today
        if let given {
            order = given
            orderReason = "as --date-order \(given.rawValue) says"
            return
        }
        var dayFirst: String?
        var monthFirst: String?
        var dayFirstCount = 0
        var monthFirstCount = 0
        var undecided: String?
        var allDotted = true
        for value in values {
            guard let pair = Self.numericPair(value) else { continue }
            if !pair.dotted { allDotted = false }
            if pair.first > 12 && pair.second <= 12 {
                dayFirstCount += 1
                dayFirst = dayFirst ?? value
            } else if pair.second > 12 && pair.first <= 12 {
                monthFirstCount += 1
                monthFirst = monthFirst ?? value
            } else if pair.first != pair.second {
                undecided = undecided ?? value
            }
        }
        if dayFirstCount > 0 || monthFirstCount > 0 {
            order = dayFirstCount >= monthFirstCount ? .dmy : .mdy
            let example = (order == .dmy ? dayFirst : monthFirst) ?? ""
            orderReason = "\(order?.words ?? ""), from values such as \(example)"
        } else if let undecided {
            guard !allDotted else {
                order = .dmy
                orderReason = "day.month.year, as dates written with dots are"
                return
            }
            throw Ambiguous(example: undecided)
        } else {
            order = nil
            orderReason = nil
        }
    }

    /// The two leading numbers of a date written with separators and no four-digit year first:
    /// "03/04/2019" → (3, 4). Nil for ISO dates, month names and day numbers.
    static func numericPair(_ text: String) -> (first: Int, second: Int, dotted: Bool)? {
        let datePart = Self.withoutTime(Self.trimmed(text))
        let dotted = datePart.contains(".")
        let pieces = datePart.split(whereSeparator: { $0 == "/" || $0 == "." || $0 == "-" })
        guard (2...3).contains(pieces.count), pieces.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            pieces[0].count <= 2, pieces[1].count <= 2, let first = Int(pieces[0]), let second = Int(pieces[1])
        else { return nil }
        return (first, second, dotted)
    }

    /// Without the spaces and line breaks around it; the usual value has none, and costs no copy.
    static func trimmed(_ text: String) -> String {
        guard let first = text.first, let last = text.last else { return text }
        guard first.isWhitespace || last.isWhitespace else { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The date part of "2019-03-04T00:00:00Z", "3/4/2019 0:00" or "3/4/2019 12:00:00 AM".
    static func withoutTime(_ text: String) -> Substring {
        if let t = text.firstIndex(of: "T"), text[..<t].contains("-"), text[text.index(after: t)...].contains(":") {
            return text[..<t]
        }
        var tokens = text.split(separator: " ")
        while let last = tokens.last, tokens.count > 1,
            last.contains(":") || ["am", "pm"].contains(last.lowercased())
        {
            tokens.removeLast()
        }
        guard let first = tokens.first, let last = tokens.last else { return Substring(text) }
        return text[first.startIndex..<last.endIndex]
    }

    public enum Reading: Sendable, Equatable {
        case date(RosterDate)
        case missing
        /// Why the text is no date, in words.
        case unreadable(String)
    }

    /// Reads one value.
    public func read(_ raw: String) -> Reading {
        let text = Self.trimmed(raw)
        guard !text.isEmpty else { return .missing }
        if let serial = Double(text), text.allSatisfy({ $0.isASCIIDigit || $0 == "." }) {
            return daySerial(serial, text: text)
        }
        let datePart = Self.withoutTime(text)
        if datePart.contains(where: \.isLetter) { return named(datePart) }
        let pieces = datePart.split(whereSeparator: { $0 == "/" || $0 == "." || $0 == "-" }).map(String.init)
        guard pieces.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }), (2...3).contains(pieces.count)
        else {
            return .unreadable("\"\(raw)\" is not a date")
        }
        let numbers = pieces.compactMap { Int($0) }
        if pieces[0].count == 4 {
            guard numbers.count == 3 else { return .unreadable("\"\(raw)\" has a year and a month but no day") }
            return make(year: numbers[0], month: numbers[1], day: numbers[2], raw: raw)
        }
        let (month, day) = order == .dmy ? (numbers[1], numbers[0]) : (numbers[0], numbers[1])
        var year: Int?
        if numbers.count == 3 {
            guard pieces[2].count == 4 || pieces[2].count == 2 else { return .unreadable("\"\(raw)\" is not a date") }
            year = pieces[2].count == 2 ? expand(twoDigitYear: numbers[2]) : numbers[2]
        }
        if month > 12, let order {
            return .unreadable(
                "\"\(raw)\" is not a date in \(order.words), the order the other dates of this column are written in")
        }
        return make(year: year, month: month, day: day, raw: raw)
    }

    private func make(year: Int?, month: Int, day: Int, raw: String) -> Reading {
        if let year, !(1900...2100).contains(year) {
            return .unreadable("\"\(raw)\": the year \(year) is not plausible")
        }
        guard (1...12).contains(month), (1...CivilDate.days(inMonth: month, year: year ?? 2024)).contains(day) else {
            return .unreadable("\"\(raw)\" is not a day of the calendar")
        }
        return .date(RosterDate(year: year, month: month, day: day))
    }

    /// "19" is 2019 and "85" is 1985: a two-digit year is in this century up to this year.
    private func expand(twoDigitYear year: Int) -> Int {
        year <= today.year % 100 ? 2000 + year : 1900 + year
    }

    /// "4 Mar 2019", "Mar 4, 2019", "March 4", "4-Mar-19".
    private func named(_ text: Substring) -> Reading {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" || $0 == "/" || $0 == "." })
        var month: Int?
        var numbers: [Substring] = []
        for token in tokens {
            if token.allSatisfy(\.isASCIIDigit) {
                numbers.append(token)
            } else if let found = Self.monthNumber(token) {
                month = found
            } else if Self.weekdays.contains(where: { token.lowercased().hasPrefix($0) }) {
                continue
            } else {
                return .unreadable("\"\(text)\" is not a date")
            }
        }
        guard let month, (1...2).contains(numbers.count) else { return .unreadable("\"\(text)\" is not a date") }
        var day: Int?
        var year: Int?
        for number in numbers {
            guard let value = Int(number) else { continue }
            if number.count == 4 {
                year = value
            } else if day == nil {
                day = value
            } else {
                year = expand(twoDigitYear: value)
            }
        }
        guard let day else { return .unreadable("\"\(text)\" has no day") }
        return make(year: year, month: month, day: day, raw: String(text))
    }

    private static let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    static func monthNumber(_ token: Substring) -> Int? {
        let lower = token.lowercased()
        guard lower.count >= 3 else { return nil }
        let names = [
            "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
            "november", "december",
        ]
        return names.firstIndex { $0.hasPrefix(lower) || (lower == "sept" && $0 == "september") }.map { $0 + 1 }
    }

    /// An Excel day number (a date left unformatted, or a CSV saved from such a sheet), in the
    /// workbook's date system; `20190304` as a compact ISO date. Days before 1910 are refused:
    /// "2019" in a date column is a year, not 11 July 1905.
    private func daySerial(_ serial: Double, text: String) -> Reading {
        if text.count == 8, !text.contains("."), let compact = Int(text), (19_000_101...21_001_231).contains(compact) {
            return make(year: compact / 10_000, month: compact / 100 % 100, day: compact % 100, raw: text)
        }
        let whole = Int(serial.rounded(.down))
        // From 1910 on: a smaller number in a date column is a year or a count, not a day.
        let minimum = dates1904 ? 2_192 : 3_654
        guard (minimum...73_050).contains(whole) else { return .unreadable("\"\(text)\" is a number, not a date") }
        let day = CivilDate(dayNumber: whole - (dates1904 ? 24_107 : 25_569))
        return make(year: day.year, month: day.month, day: day.day, raw: text)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
