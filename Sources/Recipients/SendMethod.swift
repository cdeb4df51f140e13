public import GoodyAPI
import Spreadsheet

/// The rules and starter columns of each send method (the method itself is the API's).
extension SendMethod {
    /// The fields every row must have for this method.
    public var requiredFields: [RecipientField] {
        switch self {
        case .emailAndLink: [.firstName, .email]
        case .linkMultipleCustomList: [.firstName]
        case .directSend: [.firstName, .address1, .city, .state, .postalCode]
        }
    }

    /// What the method does, in a person's words.
    public var summary: String {
        switch self {
        case .emailAndLink: "Goody emails each recipient their gift (an email is required on every row)"
        case .linkMultipleCustomList:
            "Goody makes one gift link per recipient for you to share (a first name is enough)"
        case .directSend: "Goody ships the gift to each recipient's US mailing address"
        }
    }

    /// The columns of the starter spreadsheet for this method.
    public var templateFields: [RecipientField] {
        switch self {
        case .emailAndLink: [.firstName, .lastName, .email, .phone, .manager]
        case .linkMultipleCustomList: [.firstName, .lastName, .email, .manager]
        case .directSend:
            [
                .firstName, .lastName, .email, .phone, .address1, .address2, .city, .state, .postalCode, .country,
                .manager,
            ]
        }
    }
}

/// A column of the input, as a person finds it in a spreadsheet program: letter and header.
public struct ColumnRef: Sendable, Hashable, Codable {
    /// Zero-based position.
    public var index: Int
    public var header: String

    public init(index: Int, header: String) {
        self.index = index
        self.header = header
    }

    /// The spreadsheet letter: A…Z, AA…
    public var letter: String { Self.letter(for: index) }

    public static func letter(for index: Int) -> String { ColumnLetters.letters(for: index) }

    /// "column F (Work Email)"
    public var description: String {
        header.isEmpty ? "column \(letter)" : "column \(letter) (\(header))"
    }
}
