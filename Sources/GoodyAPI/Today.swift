public import Foundation

/// "Now" for goody-batch and its emulators. A testing aid only: `GOODY_BATCH_TODAY=YYYY-MM-DD`
/// (or `YYYY-MM-DDTHH:MM`) moves the clock so that today is that day, and time goes on from
/// there as it does on the wall clock, so tests can walk through a year of monthly sends
/// without waiting. Without it, this is the wall clock.
public enum Today {
    /// The shift from the wall clock, read once per process.
    private static let shift: TimeInterval = offset(from: ProcessInfo.processInfo.environment)

    /// The current moment.
    public static func now() -> Date { Date().addingTimeInterval(shift) }

    /// True when `GOODY_BATCH_TODAY` moved the clock (the plan says so).
    public static var isShifted: Bool { shift != 0 }

    /// The variable's value, for messages.
    public static var setting: String? { ProcessInfo.processInfo.environment[variable] }

    public static let variable = "GOODY_BATCH_TODAY"

    /// How far `GOODY_BATCH_TODAY` moves the clock: a date keeps the wall clock's time of day
    /// (in this machine's zone); a date and time is that moment. Anything else moves nothing
    /// (`check` says why).
    static func offset(from environment: [String: String], wallClock: Date = Date()) -> TimeInterval {
        guard let text = environment[variable], let target = moment(text, wallClock: wallClock) else { return 0 }
        return target.timeIntervalSince(wallClock)
    }

    /// The moment `text` names, or nil when it names none.
    static func moment(_ text: String, wallClock: Date) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        let parts = trimmed.split(whereSeparator: { $0 == "T" || $0 == " " })
        let day = parts[0].split(separator: "-").compactMap { Int($0) }
        guard day.count == 3, (1...12).contains(day[1]), (1...31).contains(day[2]) else { return nil }
        var components = DateComponents(year: day[0], month: day[1], day: day[2])
        if parts.count > 1 {
            let time = parts[1].split(separator: ":").compactMap { Int($0) }
            guard (2...3).contains(time.count) else { return nil }
            components.hour = time[0]
            components.minute = time[1]
            components.second = time.count == 3 ? time[2] : 0
        } else {
            let now = calendar.dateComponents([.hour, .minute, .second, .nanosecond], from: wallClock)
            components.hour = now.hour
            components.minute = now.minute
            components.second = now.second
            components.nanosecond = now.nanosecond
        }
        return calendar.date(from: components)
    }

    /// A problem with `GOODY_BATCH_TODAY`, for the command to refuse it rather than ignore it.
    public static func check(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard let text = environment[variable], !text.isEmpty else { return nil }
        guard moment(text, wallClock: Date()) != nil else {
            return
                "\(variable)=\(text) is not a date; write YYYY-MM-DD (or YYYY-MM-DDTHH:MM). It is a testing aid: unset it to use today's date."
        }
        return nil
    }
}
