import GoodyAPI
import Testing

@testable import Recipients

struct MappingTests {
    @Test(arguments: [
        ("First Name", RecipientField.firstName), ("Legal First Name", .firstName), ("Given Name", .firstName),
        ("first_name", .firstName), ("FIRST-NAME", .firstName), ("Prénom", nil), ("Surname", .lastName),
        ("Work Email", .email), ("Email Address", .email), ("bestEmail", .email), ("E-mail", .email),
        ("Mobile Phone", .phone), ("Home Address Line 1", .address1), ("street1", .address1), ("address1", .address1),
        ("Address Line 2", .address2), ("Apt/Suite", .address2), ("City", .city), ("State/Province", .state),
        ("ZIP", .postalCode), ("Zip Code", .postalCode), ("Postal Code", .postalCode), ("Country", .country),
        ("Manager", .manager), ("Supervisor", .manager), ("Employee ID", .employeeID), ("Associate ID", .employeeID),
        ("Gift Message", .message), ("From", .fromName), ("Send Date", .sendDate),
        ("Gift Amount", .amount), ("T-Shirt Size", .variants), ("Product", .product), ("Department", nil),
        ("Hire Date", nil), ("Name", nil),
    ])
    func headersMapThroughTheAliasTable(header: String, field: RecipientField?) throws {
        let mapping = try ColumnMapping(header: [header])
        #expect(mapping.field(forColumn: 0) == field)
    }

    @Test func unknownColumnsAreKeptUnmapped() throws {
        let mapping = try ColumnMapping(header: ["First Name", "Department", "Team"])
        #expect(mapping.column(for: .firstName) == 0)
        #expect(mapping.field(forColumn: 1) == nil)
        #expect(mapping.field(forColumn: 2) == nil)
    }

    @Test func workEmailWinsOverPersonalAndSaysSo() throws {
        let mapping = try ColumnMapping(header: ["First Name", "Personal Email", "Work Email"])
        #expect(mapping.column(for: .email) == 2)
        #expect(mapping.notes.contains { $0.contains("\"Personal Email\"") && $0.contains("--map email=") })
    }

    @Test func twoEqualCandidatesAreAmbiguousAndNamed() {
        #expect(
            throws: MappingError(
                code: .ambiguous(
                    .email, [ColumnRef(index: 1, header: "Email"), ColumnRef(index: 2, header: "Work Email")]))
        ) {
            try ColumnMapping(header: ["First Name", "Email", "Work Email"])
        }
        let error = MappingError(
            code: .ambiguous(.email, [ColumnRef(index: 1, header: "Email"), ColumnRef(index: 2, header: "Work Email")]))
        let message = error.message(path: "team.csv", headerLine: 3)
        #expect(message.contains("team.csv: line 3"))
        #expect(message.contains("column B (Email)"))
        #expect(message.contains("column C (Work Email)"))
        #expect(message.contains("--map email="))
    }

    @Test func duplicateHeadersForAFieldAreAnError() {
        #expect(
            throws: MappingError(
                code: .duplicateHeader(
                    .firstName, [ColumnRef(index: 0, header: "First Name"), ColumnRef(index: 2, header: "first_name")]))
        ) {
            try ColumnMapping(header: ["First Name", "Last Name", "first_name"])
        }
    }

    @Test func duplicateUnmappedHeadersAreFine() throws {
        let mapping = try ColumnMapping(header: ["First Name", "Notes", "Notes"])
        #expect(mapping.column(for: .firstName) == 0)
    }

    @Test func mapOverridesResolveAmbiguityAndUnmap() throws {
        let mapping = try ColumnMapping(
            header: ["First Name", "Email", "Work Email", "Phone"], overrides: [.email: "Work Email", .phone: ""])
        #expect(mapping.column(for: .email) == 2)
        #expect(mapping.column(for: .phone) == nil)
    }

    @Test func mapCanPointAFieldAtAnyColumn() throws {
        let mapping = try ColumnMapping(
            header: ["Nombre", "Correo"], overrides: [.firstName: "nombre", .email: "Correo"])
        #expect(mapping.column(for: .firstName) == 0)
        #expect(mapping.column(for: .email) == 1)
    }

    @Test func mapToAMissingHeaderListsTheColumns() {
        let header = ["First Name", "Mail"]
        #expect(throws: MappingError(code: .unknownHeader(field: .email, name: "Email", header: header))) {
            try ColumnMapping(header: header, overrides: [.email: "Email"])
        }
    }

    @Test func preferredNameIsUsedOnlyWhenAskedOrAlone() throws {
        let both = try ColumnMapping(header: ["Legal First Name", "Preferred Name"])
        #expect(both.column(for: .firstName) == 0)
        #expect(both.usesPreferredName == false)
        #expect(both.notes.contains { $0.contains("--preferred-name") })
        let asked = try ColumnMapping(header: ["Legal First Name", "Preferred Name"], preferPreferredName: true)
        #expect(asked.usesPreferredName)
        let alone = try ColumnMapping(header: ["Preferred Name", "Email"])
        #expect(alone.column(for: .firstName) == 0)
    }

    @Test func missingRequiredColumnsNameTheMethodAndTheFix() throws {
        let mapping = try ColumnMapping(header: ["Full Name", "City"])
        #expect(mapping.missingColumns(for: .emailAndLink) == [.firstName, .email])
        let error = MappingError(
            code: .missingColumns(
                [.firstName, .email], method: .emailAndLink, header: mapping.header, fullName: mapping.fullNameColumn))
        let message = error.message(path: "x.csv", headerLine: 1)
        #expect(message.contains("no column holds first_name, email"))
        #expect(message.contains("\"Full Name\" holds full names"))
    }

    @Test func fieldNamesAreAcceptedInAnySpelling() {
        #expect(RecipientField(userName: "first_name") == .firstName)
        #expect(RecipientField(userName: "First Name") == .firstName)
        #expect(RecipientField(userName: "postalcode") == .postalCode)
        #expect(RecipientField(userName: "shoe size") == nil)
    }

    @Test func columnLetters() {
        #expect(ColumnRef.letter(for: 0) == "A")
        #expect(ColumnRef.letter(for: 25) == "Z")
        #expect(ColumnRef.letter(for: 26) == "AA")
        #expect(ColumnRef.letter(for: 701) == "ZZ")
        #expect(ColumnRef.index(ofLetter: "AA") == 26)
    }
}
