public import GoodyAPI
public import Spreadsheet

/// The starter spreadsheet for each send method: a header and one example row. The files in
/// `templates/` are these bytes exactly (a test keeps them in step).
public enum StarterSpreadsheet {
    /// The example row's value for each field.
    private static func example(_ field: RecipientField) -> String {
        switch field {
        case .firstName: "Ana"
        case .lastName: "Diaz"
        case .preferredName: "Ani"
        case .email: "ana.diaz@example.com"
        case .phone: "(555) 234-7890"
        case .address1: "140 E 55th St"
        case .address2: "Apt 4B"
        case .city: "New York"
        case .state: "NY"
        case .postalCode: "10022"
        case .country: "US"
        case .manager: "Sam Lee"
        case .employeeID: "E1042"
        case .product: ""
        case .variants: ""
        case .amount: ""
        case .message: ""
        case .fromName: ""
        case .sendDate: ""
        case .fullName: "Ana Diaz"
        case .managerEmail: "sam.lee@example.com"
        }
    }

    public static func rows(for method: SendMethod) -> [[String]] {
        let fields = method.templateFields
        return [fields.map(\.templateHeader), fields.map(example)]
    }

    /// The default file name: "direct_send.csv".
    public static func fileName(for method: SendMethod) -> String { "\(method.rawValue).csv" }

    /// Writes the starter spreadsheet (UTF-8 with BOM and CRLF, so Excel opens it cleanly).
    public static func write(_ method: SendMethod, to path: String) throws(SpreadsheetError) {
        let writer = try CSVFileWriter(path: path, format: CSVFileWriter.Format(mode: 0o644))
        for row in rows(for: method) { try writer.writeRow(row) }
        try writer.commit()
    }
}
