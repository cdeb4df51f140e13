import Mustache

/// A gift message with Mustache placeholders (`{{first_name}}`, `{{department}}`), rendered as
/// plain text (no HTML escaping: "O'Brien" stays "O'Brien").
public struct MessageTemplate: Sendable {
    public let text: String
    private let template: MustacheTemplate

    public init(_ text: String) throws(PlanError) {
        self.text = text
        do {
            template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
        } catch {
            throw PlanError(
                "The message is not a valid template (\(error)). Placeholders look like {{first_name}}; check that each {{ has its }}."
            )
        }
    }

    public struct Rendered: Sendable, Equatable {
        public var text: String
        /// Placeholders the message used.
        public var used: Set<String>
        /// Placeholders that name no field or column.
        public var unknown: Set<String>
        /// Placeholders whose value was empty for this recipient.
        public var empty: Set<String>
    }

    /// Renders with `values`; names it asks for and that are missing are reported, not guessed.
    public func render(_ values: [String: String]) -> Rendered {
        let context = RecordingContext(values: values)
        let text = template.render(context)
        return Rendered(text: text, used: context.used, unknown: context.unknown, empty: context.empty)
    }
}

/// The values a message can use, recording what the template asked for.
private final class RecordingContext: MustacheParent, @unchecked Sendable {
    let values: [String: String]
    var used: Set<String> = []
    var unknown: Set<String> = []
    var empty: Set<String> = []

    init(values: [String: String]) { self.values = values }

    func child(named name: String) -> Any? {
        guard let value = values[name] else {
            unknown.insert(name)
            return nil
        }
        used.insert(name)
        if value.isEmpty { empty.insert(name) }
        return value
    }
}
