/// Shapes of the per-row columns that change a batch (amount, send date, variants); their
/// meaning (does the product exist, is the date in the future) is checked when planning.
public enum GiftAmount {
    /// "$25", "25.00", "1,000" → cents; nil when it is not an amount of money.
    public static func cents(_ text: String) -> Int? {
        var value = text.trimmingSpaces()
        for prefix in ["USD", "US$", "$"] where value.uppercased().hasPrefix(prefix) {
            value = String(value.dropFirst(prefix.count)).trimmingSpaces()
        }
        if value.uppercased().hasSuffix("USD") { value = String(value.dropLast(3)).trimmingSpaces() }
        value.removeAll { $0 == "," }
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let dollarsText = parts.first, !dollarsText.isEmpty,
            dollarsText.allSatisfy(\.isASCIIDigit), dollarsText.count <= 7, let dollars = Int(dollarsText)
        else { return nil }
        var cents = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...2).contains(fraction.count), fraction.allSatisfy(\.isASCIIDigit), let value = Int(fraction)
            else {
                return nil
            }
            cents = fraction.count == 1 ? value * 10 : value
        }
        return dollars * 100 + cents
    }
}

/// A send date or date and time, as written in a row or on the command line.
public struct SendDate: Sendable, Hashable, Codable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int?
    public var minute: Int?
    /// Seconds east of UTC when the text named a zone ("Z", "+02:00").
    public var utcOffsetSeconds: Int?

    public init(year: Int, month: Int, day: Int, hour: Int? = nil, minute: Int? = nil) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
    }

    /// ISO 8601: "2026-12-01" or "2026-12-01T09:00:00Z" / "…+02:00".
    public var iso8601: String {
        let date = padded(year, to: 4) + "-" + padded(month, to: 2) + "-" + padded(day, to: 2)
        guard let hour else { return date }
        var text = date + "T" + padded(hour, to: 2) + ":" + padded(minute ?? 0, to: 2) + ":00"
        if let offset = utcOffsetSeconds {
            if offset == 0 {
                text += "Z"
            } else {
                let sign = offset < 0 ? "-" : "+"
                let absolute = abs(offset) / 60
                text += sign + padded(absolute / 60, to: 2) + ":" + padded(absolute % 60, to: 2)
            }
        }
        return text
    }

    /// Accepts 2026-12-01, 2026/12/01, 12/01/2026 (US order), 2026-12-01 09:00, and full ISO 8601.
    public init?(parsing text: String) {
        let trimmed = text.trimmingSpaces()
        let splitAt = trimmed.firstIndex(where: { $0 == "T" || $0 == " " })
        let datePart = splitAt.map { trimmed[..<$0] } ?? Substring(trimmed)
        let timePart = splitAt.map { trimmed[trimmed.index(after: $0)...] }
        let numbers = datePart.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." })
        guard numbers.count == 3, numbers.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }),
            let first = Int(numbers[0]), let second = Int(numbers[1]), let third = Int(numbers[2])
        else { return nil }
        if numbers[0].count == 4 {
            (year, month, day) = (first, second, third)
        } else if numbers[2].count == 4 && datePart.contains("/") {
            (year, month, day) = (third, first, second)
        } else {
            return nil
        }
        guard (2000...2100).contains(year), (1...12).contains(month), (1...Self.daysIn(month, year)).contains(day)
        else {
            return nil
        }
        if let timePart {
            guard let time = Self.parseTime(timePart) else { return nil }
            (hour, minute, utcOffsetSeconds) = (time.hour, time.minute, time.offset)
        }
    }

    private static func parseTime(_ text: Substring) -> (hour: Int, minute: Int, offset: Int?)? {
        var body = text
        var offset: Int?
        if body.hasSuffix("Z") {
            offset = 0
            body = body.dropLast()
        } else if let signIndex = body.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = body[body.index(after: signIndex)...].split(separator: ":")
            guard let hours = zone.first.flatMap({ Int($0) }), hours <= 14 else { return nil }
            let minutes = zone.count > 1 ? Int(zone[1]) ?? 0 : 0
            offset = (hours * 3600 + minutes * 60) * (body[signIndex] == "-" ? -1 : 1)
            body = body[..<signIndex]
        }
        let pieces = body.split(separator: ":")
        guard (2...3).contains(pieces.count), let hour = Int(pieces[0]), let minute = Int(pieces[1]),
            (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        if pieces.count == 3 {
            guard let seconds = Double(pieces[2]), seconds >= 0, seconds < 61 else { return nil }
        }
        return (hour, minute, offset)
    }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Zero-padded decimal text for dates.
private func padded(_ value: Int, to width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// Variant names for a product, as a row lists them ("Sugar; Chocolate").
public enum VariantList {
    public static func parse(_ text: String) -> [String]? {
        let separators: Set<Character> = text.contains(";") || text.contains("|") ? [";", "|"] : [","]
        let names = text.split(omittingEmptySubsequences: false, whereSeparator: { separators.contains($0) })
            .map { String($0).trimmingSpaces() }
        guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty }) else { return nil }
        return names
    }
}
