import Foundation

/// Cents as dollars for people: 2500 → "$25.00", 123456 → "$1,234.56". Money is integer US
/// cents everywhere in the API.
public enum Money {
    public static func dollars(_ cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        let absolute = abs(cents)
        let whole = absolute / 100
        let fraction = absolute % 100
        let grouped = String(whole).reversed().enumerated().map {
            $0.offset > 0 && $0.offset % 3 == 0 ? ",\($0.element)" : "\($0.element)"
        }
        return "\(sign)$\(String(grouped.joined().reversed())).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Cents as plain dollars for re-parsing, as `--max-spend` takes them: 2500 → "25.00".
    public static func plain(_ cents: Int) -> String { String(format: "%d.%02d", cents / 100, cents % 100) }
}
