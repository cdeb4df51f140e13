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
        ("Gift Amount", .amount), ("T-Shirt Size", nil), ("Variants", .variants), ("Product", .product),
        ("Department", nil),
        ("Hire Date", nil), ("Name", .fullName),
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
        #expect(both.notes.contains { $0.contains("--legal-name") })
        let asked = try ColumnMapping(header: ["Legal First Name", "Preferred Name"], preferPreferredName: true)
        #expect(asked.usesPreferredName)
        let alone = try ColumnMapping(header: ["Preferred Name", "Email"])
        #expect(alone.column(for: .firstName) == 0)
    }

    @Test func missingRequiredColumnsNameTheMethodAndSuggestTheLikelyColumn() throws {
        let mapping = try ColumnMapping(header: ["Given", "City", "Primary Work E-mail Addr (Main)"])
        #expect(mapping.missingColumns(for: .emailAndLink) == [.firstName, .email])
        #expect(mapping.suggestion(for: .email) == "Primary Work E-mail Addr (Main)")
        #expect(mapping.suggestion(for: .firstName) == nil)
        let typo = try ColumnMapping(header: ["First Name", "Emial"])
        #expect(typo.suggestion(for: .email) == "Emial")
        let error = MappingError(
            code: .missingColumns(
                [.firstName, .email], method: .emailAndLink, header: mapping.header,
                suggestions: [.email: "Primary Work E-mail Addr (Main)"]))
        let message = error.message(path: "x.csv", headerLine: 1)
        #expect(message.contains("no column holds first_name, email"))
        #expect(message.contains("Did you mean --map email=\"Primary Work E-mail Addr (Main)\"?"))
    }

    /// A full-name column stands for the first name when there is none.
    @Test func aFullNameColumnIsSplitWhenThereIsNoFirstName() throws {
        let mapping = try ColumnMapping(header: ["Employee Name", "Email"])
        #expect(mapping.missingColumns(for: .emailAndLink).isEmpty)
        #expect(mapping.splitsFullName)
        #expect(mapping.notes.contains { $0.contains("split from \"Employee Name\"") })
        let both = try ColumnMapping(header: ["Name", "First Name", "Email"])
        #expect(!both.splitsFullName && both.column(for: .firstName) == 1)
    }

    /// Each system's own column names, as its export writes them, with no --map. The headers are
    /// built from each system's documented export fields: prefixes and separators vary, so the
    /// matcher reads them rather than a list of exact strings.
    @Test(arguments: [
        (
            "Workday",
            [
                "Employee ID", "Legal Name - First Name", "Legal Name - Last Name", "Preferred Name - First Name",
                "Primary Work Email", "Primary Home Address - Address Line 1", "Primary Home Address - Address Line 2",
                "Primary Home Address - City", "Primary Home Address - State/Province",
                "Primary Home Address - Postal Code", "Primary Home Address - Country", "Manager",
                "Emergency Contact - First Name", "Primary Work Address - City", "Hire Date",
            ]
        ),
        (
            "ADP Workforce Now",
            [
                "Associate ID", "First Name", "Last Name", "Work Contact: Work Email",
                "Personal Contact: Personal Email",
                "Primary Address: Address Line 1", "Primary Address: Address Line 2", "Primary Address: City",
                "Primary Address: State / Territory Code", "Primary Address: Zip / Postal Code",
                "Primary Address: Country", "Reports To Name", "Personal Contact: Personal Mobile",
            ]
        ),
        (
            "BambooHR",
            [
                "Employee #", "First Name", "Last Name", "Preferred Name", "Work Email", "Home Email", "Address Line 1",
                "Address Line 2", "City", "State", "Zip", "Country", "Mobile Phone", "Reporting to",
            ]
        ),
        (
            "Rippling",
            [
                "Employee number", "Legal first name", "Legal last name", "Preferred first name", "Work email",
                "Personal email", "Home address line 1", "Home address line 2", "Home address city",
                "Home address state", "Home address zip code", "Home address country", "Manager",
            ]
        ),
        (
            "Gusto",
            [
                "First name", "Last name", "Work email", "Personal email", "Home address - Street 1",
                "Home address - Street 2", "Home address - City", "Home address - State", "Home address - Zip",
                "Manager", "Employee ID",
            ]
        ),
        (
            "Paylocity",
            [
                "Employee Id", "Legal Firstname", "Legal Lastname", "Work E-Mail", "Home Address 1", "Home Address 2",
                "Home City", "Home State", "Home Zip", "Home Country", "Supervisor",
            ]
        ),
        (
            "UKG Pro",
            [
                "Employee Number", "First Name", "Last Name", "Email Address", "Address Line 1", "Address Line 2",
                "City", "State/Province", "Zip/Postal Code", "Country", "Supervisor Name",
            ]
        ),
        (
            "HiBob",
            [
                "Employee ID", "First name", "Last name", "Email", "Home address - Address line 1",
                "Home address - Address line 2", "Home address - City", "Home address - State",
                "Home address - Postal code", "Home address - Country", "Reports to",
            ]
        ),
        (
            "Personio",
            [
                "ID", "First name", "Last name", "Email", "Street", "Address line 2", "City", "State", "ZIP code",
                "Country", "Supervisor",
            ]
        ),
        (
            "Deel",
            [
                "Worker ID", "Full Name", "Work Email", "Personal Email", "Address", "City", "State", "Postal Code",
                "Country", "Manager",
            ]
        ),
        (
            "Excel employee list template",
            ["Employee Name", "Email Address", "Street Address", "City", "State", "ZIP Code", "Manager"]
        ),
    ])
    func hrSystemExportsAreReadWithNoMap(_ system: String, _ header: [String]) throws {
        let mapping = try ColumnMapping(header: header)
        for method in SendMethod.allCases {
            #expect(mapping.missingColumns(for: method).isEmpty, "\(system): \(method)")
        }
        let name = { (field: RecipientField) in mapping.column(for: field).map { header[$0] } }
        #expect(name(.email)?.lowercased().contains("personal") == false, "\(system): the work email wins")
        #expect(name(.manager) != nil, "\(system): the manager column")
        #expect(name(.address1).map { !$0.lowercased().contains("work") } ?? false, "\(system): the home address")
        #expect(name(.postalCode) != nil && name(.state) != nil && name(.city)?.lowercased().contains("work") == false)
        #expect(name(.firstName)?.lowercased().contains("emergency") != true)
        #expect(name(.employeeID) != nil || system == "Excel employee list template", "\(system): the employee ID")
    }

    @Test func prefixesSayWhoseValueItIs() {
        #expect(RecipientField.match("Preferred Name - First Name")?.field == .preferredName)
        #expect(RecipientField.match("Emergency Contact - Phone") == nil)
        #expect(RecipientField.match("Spouse: Email") == nil)
        #expect(RecipientField.match("Reports To: Name")?.field == .manager)
        #expect(RecipientField.match("Primary Work Address - City")?.rank == 1)
        #expect(RecipientField.match("Home address - Postal code")! == (.postalCode, 0))
        #expect(RecipientField.match("Work Contact: Work Email")! == (.email, 0))
        #expect(RecipientField.match("T-shirt size") == nil)
        #expect(RecipientField.match("Gift Variant")?.field == .variants)
    }

    @Test func headersAreSplitWhereSystemsPutAPrefix() {
        #expect(HeaderKey.parts("Primary Home Address - City") == ["Primary Home Address", "City"])
        #expect(HeaderKey.parts("Work Contact:Work Email") == ["Work Contact", "Work Email"])
        #expect(HeaderKey.parts("Worker > Contact | Email") == ["Worker", "Contact", "Email"])
        #expect(HeaderKey.parts("Home – Zip —  Code") == ["Home", "Zip", "Code"])
        // A dash inside a word, or with white space on one side only, is no separator.
        #expect(HeaderKey.parts("Sub-total") == ["Sub-total"])
        #expect(HeaderKey.parts("Home -Zip") == ["Home -Zip"])
        #expect(HeaderKey.parts("a -  - b") == ["a", "- b"])
        #expect(HeaderKey.parts(" : City :: ") == ["City"])
        // ASCII headers take a shortcut to the same key as the general path.
        #expect(HeaderKey.normalize("Employee # (Legal)") == "employeenumberlegal")
        #expect(HeaderKey.normalize("Prénom") == "prenom")
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
