import Mustache

/// A gift message with Mustache placeholders (`{{first_name}}`, `{{department}}`), rendered as
/// plain text (no HTML escaping: "O'Brien" stays "O'Brien").
public struct MessageTemplate: Sendable {
    public let text: String
    private let template: MustacheTemplate

    public init(_ text: String) throws(PlanError) {
        self.text = text
        let header = "{{% CONTENT_TYPE: TEXT}}"
        do {
            template = try MustacheTemplate(string: header + text)
        } catch {
            throw PlanError(Self.explained(error, headerLength: header.count))
        }
    }

    /// What is wrong with the message, where, in words (never the library's internals).
    private static func explained(_ error: any Error, headerLength: Int) -> String {
        let advice = "Placeholders look like {{first_name}}; check that each {{ has its }}."
        guard let parse = error as? MustacheTemplate.ParserError else {
            return "The message is not a valid template. \(advice)"
        }
        let line = parse.context.lineNumber
        let column = line == 1 ? parse.context.columnNumber - headerLength : parse.context.columnNumber
        let what =
            switch parse.error as? MustacheTemplate.Error {
            case .unfinishedName: "a placeholder is not closed with }} or its name has a character names cannot have"
            case .sectionCloseNameIncorrect: "a {{/section}} closes a different name than the {{#section}} it ends"
            case .expectedSectionEnd: "a {{#section}} or {{^section}} is never closed with {{/section}}"
            case .invalidSetDelimiter, .invalidConfigVariableSyntax, .unrecognisedConfigVariable:
                "a {{= }} or {{% }} tag is not one goody-batch can use"
            default: "a placeholder is malformed"
            }
        let place = line > 1 ? "line \(line), character \(max(1, column))" : "character \(max(1, column))"
        let shown =
            parse.context.line.count > 80 ? String(parse.context.line.prefix(80)) + "…" : String(parse.context.line)
        let text = line == 1 ? String(shown.dropFirst(headerLength)) : shown
        return "The message is not a valid template: \(what) (at \(place) of the message: \"\(text)\"). \(advice)"
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
