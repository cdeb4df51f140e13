import Testing

@testable import Recipients

struct StateTests {
    @Test(arguments: [
        ("CA", "CA"), ("ca", "CA"), ("California", "CA"), ("new york", "NY"), ("District of Columbia", "DC"),
        ("Washington, D.C.", "DC"), ("Puerto Rico", "PR"), ("Guam", "GU"), ("U.S. Virgin Islands", "VI"),
        ("American Samoa", "AS"), ("Northern Mariana Islands", "MP"), ("Micronesia", "FM"),
        ("Marshall Islands", "MH"), ("Palau", "PW"), ("Armed Forces Europe", "AE"), ("AP", "AP"), ("aa", "AA"),
    ])
    func namesAndCodesBecomeUSPSCodes(written: String, code: String) {
        #expect(USStates.code(for: written) == code)
    }

    @Test func everyStateIsKnown() {
        #expect(USStates.names.count == 50 + 1 + 8 + 3)
    }

    @Test(arguments: ["Oregn", "ON", "Bavaria", "XX", ""])
    func othersAreNot(written: String) {
        #expect(USStates.code(for: written) == nil)
    }
}

struct PostalCodeTests {
    @Test(arguments: [
        ("02134", PostalCode.Outcome.valid), ("02134-1234", .valid),
        ("2134", .repaired("02134", reason: "a leading zero was missing")),
        ("601", .repaired("00601", reason: "2 leading zeros were missing")),
        ("021341234", .repaired("02134-1234", reason: "ZIP+4 written as 5 digits, a hyphen and 4 digits")),
        ("21341234", .repaired("02134-1234", reason: "a leading zero was missing")),
        (
            "2134.0",
            .repaired(
                "02134", reason: "Excel had stored it as a number with a decimal part; a leading zero was missing")
        ),
        ("94105.00", .repaired("94105", reason: "Excel had stored it as a number with a decimal part")),
        ("02134 1234", .repaired("02134-1234", reason: "ZIP+4 written as 5 digits, a hyphen and 4 digits")),
        ("2134-1234", .repaired("02134-1234", reason: "a leading zero was missing")),
        ("6.0611E+04", .repaired("60611", reason: "Excel had turned it into scientific notation")),
        (
            "2.1341234E+07",
            .repaired("02134-1234", reason: "Excel had turned it into scientific notation; a leading zero was missing")
        ),
        ("2.13E+07", .digitsLost(exact: "21300000")),
        ("M5V 1J5", .invalid(reason: "a US ZIP code is 5 digits, optionally followed by a hyphen and 4 more")),
        ("123456", .invalid(reason: "a US ZIP code is 5 digits, optionally followed by a hyphen and 4 more")),
        ("12", .invalid(reason: "a US ZIP code is 5 digits, optionally followed by a hyphen and 4 more")),
    ])
    func excelDamageIsRepairedOrExplained(written: String, outcome: PostalCode.Outcome) {
        #expect(PostalCode.check(written) == outcome)
    }
}

struct CountryTests {
    @Test(arguments: [
        ("US", Country.Outcome.us), ("USA", .usRenamed), ("U.S.A.", .usRenamed), ("United States", .usRenamed),
        ("united states of america", .usRenamed), ("", .empty), ("Canada", .other), ("UK", .other),
    ])
    func countryNamesBecomeUS(written: String, outcome: Country.Outcome) {
        #expect(Country.classify(written) == outcome)
        var text = written
        #expect(text.withUTF8 { Country.classify($0) } == outcome)
    }
}

struct PhoneTests {
    @Test(arguments: [
        ("+15552347890", "valid"), ("(555) 234-7890", "+15552347890"), ("555.234.7890", "+15552347890"),
        ("1-555-234-7890", "+15552347890"), ("+1 555 234 7890", "+15552347890"), ("5552347890.0", "+15552347890"),
        ("5.552347890E+09", "+15552347890"), ("(646) 555-0147 x204", "+16465550147"),
        ("646-555-0147 ext. 9", "+16465550147"),
    ])
    func usNumbersBecomeE164(written: String, expected: String) {
        switch Phone.check(written) {
        case .valid: #expect(expected == "valid")
        case .normalized(let digits, _): #expect(Phone.e164(digits) == expected)
        case .invalid(let reason): Issue.record("\(written) rejected: \(reason)")
        }
    }

    @Test(arguments: [
        ("555-0100", "10 digits"), ("+44 20 7946 0958", "not a US number"),
        ("(055) 234-7890", "never start with 0 or 1"),
        ("call me", "only digits"), ("5.55E+09", "scientific notation"), ("12345678901234567890", "10 digits"),
    ])
    func othersAreRejectedWithTheReason(written: String, reasonPart: String) {
        guard case .invalid(let reason) = Phone.check(written) else {
            Issue.record("\(written) accepted")
            return
        }
        #expect(reason.contains(reasonPart))
    }

    @Test func theExtensionIsSaidToBeDropped() {
        #expect(Phone.check("(646) 555-0147 x204") == .normalized(digits: 6_465_550_147, droppedExtension: true))
    }
}

struct EmailTests {
    @Test(arguments: [
        "ana@acme.example", "ana.diaz+gifts@mail.example.co.uk", "o'brien@acme.example", "a_b-c@sub-domain.example.io",
        "USER@ACME.EXAMPLE", "x@xn--bcher-kva.example", "ann@example.museum",
    ])
    func validAddresses(address: String) {
        #expect(Email.check(address) == .valid)
    }

    @Test(arguments: [
        ("ana@example", "no dot"), ("ana.example.com", "no @"), ("ana@@acme.example", "more than one @"),
        ("ana diaz@acme.example", "a space"), ("@acme.example", "nothing comes before"),
        ("ana@", "nothing comes after"),
        ("ana..diaz@acme.example", "misplaced dot"), (".ana@acme.example", "misplaced dot"), ("ana@-x.com", "hyphen"),
        ("ana@example..com", "empty part"), ("josé@acme.example", "non-ASCII"),
        ("ana@example.con", "did you mean .com"),
        ("ana@example.c0m", "top-level domain"), ("ana(x)@acme.example", "\"(\""),
    ])
    func invalidAddressesSayWhy(address: String, reasonPart: String) {
        guard case .invalid(let reason) = Email.check(address) else {
            Issue.record("\(address) accepted")
            return
        }
        #expect(reason.contains(reasonPart), "\(reason)")
    }

    @Test(arguments: [
        ("mailto:ana@acme.example", "ana@acme.example"), ("<ana@acme.example>", "ana@acme.example"),
        ("Ana Diaz <ana@acme.example>", "ana@acme.example"),
    ])
    func wrappedAddressesAreCleaned(written: String, address: String) {
        #expect(Email.check(written) == .cleaned(address))
    }

    /// The one-pass fast check never accepts what the full check rejects.
    @Test(arguments: [
        "ana@acme.example", "a@b.co", "ana@example.con", "ana@example", "ana..b@acme.example", "a.@acme.example",
        "ana@-example.com", "ana@example-.com", "ana@ex..com", "ana@example.c0m", "x@y.comm", "ana@example.net",
        "a@b.c", "ana@example.travel", "ana@ACME.EXAMPLE", "1@2.34", "ana@example.com", "ana@team.EXAMPLE.org",
        "ops@x.test", "a@b.invalid", "a@host.localhost",
    ])
    func fastPathAgreesWithTheFullCheck(address: String) {
        var text = address
        let fast = text.withUTF8 { Email.isPlainlyValid($0) }
        let full = text.withUTF8 { Email.problem($0) } == nil
        if fast { #expect(full, "fast path accepted \(address)") }
    }

    /// The same over 200,000 strings made of the characters that decide (a seeded generator, so
    /// a failure repeats): the fast path never accepts what the full check refuses.
    @Test func fastPathAgreesWithTheFullCheckOnGeneratedAddresses() {
        let alphabet = Array("aZ0.-_@+x".utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var accepted = 0
        for _ in 0..<200_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let length = 6 + Int(state >> 59)
            var bytes: [UInt8] = []
            var bits = state
            for _ in 0..<length {
                bits = bits &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(alphabet[Int(bits >> 60) % alphabet.count])
            }
            bytes += Array(".com".utf8)
            let (fast, full) = bytes.withUnsafeBufferPointer { (Email.isPlainlyValid($0), Email.problem($0) == nil) }
            if fast {
                accepted += 1
                #expect(full, "fast path accepted \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        #expect(accepted > 1000)
    }
}

struct WhitespaceTests {
    private func collapse(_ text: String) -> (String, Bool) {
        var input = text
        return input.withUTF8 { bytes in
            let output = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count + 1)
            defer { output.deallocate() }
            let length = Whitespace.collapse(bytes, into: output)
            let result = String(decoding: UnsafeBufferPointer(rebasing: output[0..<length]), as: UTF8.self)
            return (result, !Whitespace.isClean(bytes))
        }
    }

    @Test(arguments: [
        ("Ana", "Ana", false), ("  Ana  Maria ", "Ana Maria", true), ("Ana\u{00A0}Maria", "Ana Maria", true),
        ("Ana\tMaria", "Ana Maria", true), ("Ana\u{200B}", "Ana", true), ("Ana\nMaria", "Ana Maria", true),
        ("José  Luis", "José Luis", true), ("a b c d e f g h i j", "a b c d e f g h i j", false),
        ("abcdefg  hijk", "abcdefg hijk", true),
    ])
    func collapses(input: String, expected: String, needsWork: Bool) {
        let (result, dirty) = collapse(input)
        #expect(result == expected)
        if !needsWork { #expect(!dirty) }
    }
}

struct BatchSettingTests {
    @Test(arguments: [
        ("$25", 2500), ("25.00", 2500), ("1,000.5", 100_050), ("USD 40", 4000), ("12.345", nil), ("ten", nil),
    ])
    func amounts(written: String, cents: Int?) {
        #expect(GiftAmount.cents(written) == cents)
    }

    @Test(arguments: [
        ("2026-12-01", "2026-12-01"), ("12/01/2026", "2026-12-01"), ("2026/12/01", "2026-12-01"),
        ("2026-12-01 09:30", "2026-12-01T09:30:00"), ("2026-12-01T09:00:00Z", "2026-12-01T09:00:00Z"),
        ("2026-12-01T09:00-05:00", "2026-12-01T09:00:00-05:00"),
    ])
    func sendDates(written: String, iso: String) {
        #expect(SendDate(parsing: written)?.iso8601 == iso)
    }

    @Test(arguments: ["13/01/2026", "2026-02-30", "01-12-26", "next friday", "2026-12-01 25:00"])
    func badSendDates(written: String) {
        #expect(SendDate(parsing: written) == nil)
    }

    @Test func variantLists() {
        #expect(VariantList.parse("Sugar; Chocolate") == ["Sugar", "Chocolate"])
        #expect(VariantList.parse("M") == ["M"])
        #expect(VariantList.parse("Medium / Black | Small / White") == ["Medium / Black", "Small / White"])
        #expect(VariantList.parse("Sugar;;Chocolate") == nil)
    }
}

struct AddressRiskTests {
    private func isPOBox(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { AddressRisk.isPOBox($0) }
    }

    @Test(arguments: ["PO Box 12", "P.O. Box 4410", "p o box 3", "POBox 9", "Post Office Box 1", "POB 77"])
    func poBoxes(address: String) { #expect(isPOBox(address)) }

    @Test(arguments: ["12 Boxwood Ln", "1 Sunset Blvd", "455 Market St", "Capo Box Rd"])
    func streets(address: String) { #expect(!isPOBox(address)) }

    /// Addresses at domains reserved for examples receive no mail: a template's or a test's row
    /// is never taken for a recipient.
    @Test(arguments: [
        "ana.diaz@example.com", "x@EXAMPLE.NET", "a@mail.example.org", "ops@x.test", "a@b.invalid", "me@box.localhost",
    ])
    func reservedExampleDomainsAreRefused(address: String) {
        guard case .invalid(let reason) = Email.check(address) else {
            Issue.record("\(address) was accepted")
            return
        }
        #expect(reason.contains("is reserved for examples and receives no mail"))
    }

    @Test(arguments: ["ana@examples.com", "ana@myexample.com", "ana@example.company", "ana@testing.io"])
    func lookalikesOfReservedDomainsAreFine(address: String) {
        #expect(Email.check(address) == .valid)
    }
}
