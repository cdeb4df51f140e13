/// The USPS codes of the 50 states, DC, the territories, the freely associated states and the
/// military "states", with the names people write instead.
public enum USStates {
    /// Code → name.
    public static let names: [String: String] = [
        "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
        "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
        "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
        "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts",
        "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
        "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
        "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
        "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
        "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
        "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
        "DC": "District of Columbia",
        "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
        "MP": "Northern Mariana Islands", "FM": "Federated States of Micronesia", "MH": "Marshall Islands",
        "PW": "Palau",
        "AA": "Armed Forces Americas", "AE": "Armed Forces Europe", "AP": "Armed Forces Pacific",
    ]

    /// The military codes, used with APO/FPO/DPO cities.
    public static let military: Set<String> = ["AA", "AE", "AP"]

    /// 26×26 table of valid two-letter codes, for a lookup without building a String.
    private static let codeTable: [Bool] = {
        var table = [Bool](repeating: false, count: 26 * 26)
        for code in names.keys {
            let bytes = Array(code.utf8)
            table[Int(bytes[0] - 65) * 26 + Int(bytes[1] - 65)] = true
        }
        return table
    }()

    /// Letters-only lowercase name → code, with the other spellings people use.
    private static let byName: [String: String] = {
        var table: [String: String] = [:]
        for (code, name) in names { table[key(name)] = code }
        let extra: [String: String] = [
            "washingtondc": "DC", "dc": "DC", "districtofcolumbia": "DC", "washingtond": "DC",
            "virginislands": "VI", "usvirginislands": "VI", "unitedstatesvirginislands": "VI",
            "micronesia": "FM", "northernmarianas": "MP", "commonwealthofthenorthernmarianaislands": "MP",
            "commonwealthofpuertorico": "PR", "armedforcesamerica": "AA", "armedforcesamericas": "AA",
            "armedforceseurope": "AE", "armedforcesmiddleeast": "AE", "armedforcesafrica": "AE",
            "armedforcescanada": "AE", "armedforcespacific": "AP",
        ]
        table.merge(extra) { current, _ in current }
        return table
    }()

    /// Lowercase ASCII letters only: "Washington, D.C." → "washingtondc".
    private static func key(_ text: String) -> String {
        String(decoding: text.utf8.compactMap(lowercaseLetter), as: UTF8.self)
    }

    /// True when the two bytes are a known code in either case.
    @inline(__always)
    static func isCode(_ first: UInt8, _ second: UInt8) -> Bool {
        let upperFirst = first & 0xDF
        let upperSecond = second & 0xDF
        guard (65...90).contains(upperFirst), (65...90).contains(upperSecond) else { return false }
        return codeTable[Int(upperFirst - 65) * 26 + Int(upperSecond - 65)]
    }

    /// The USPS code for a code in any case or a full name; nil when it is neither.
    public static func code(for text: String) -> String? {
        var text = text
        return text.withUTF8 { code(for: $0) }
    }

    /// The same, read from the bytes in place: a name is looked up by a hash of its letters,
    /// with no string made (a fifth of the rows of some exports spell the state out).
    public static func code(for bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if bytes.count == 2, isCode(bytes[0], bytes[1]) {
            return String(decoding: [bytes[0] & 0xDF, bytes[1] & 0xDF], as: UTF8.self)
        }
        guard let entry = byLetterHash[letterHash(bytes)] else { return nil }
        // The hash agreed: the letters must too.
        var index = 0
        for byte in bytes {
            guard let letter = lowercaseLetter(byte) else { continue }
            guard index < entry.key.count, entry.key[index] == letter else { return nil }
            index += 1
        }
        return index == entry.key.count ? entry.code : nil
    }

    @inline(__always)
    private static func lowercaseLetter(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x41...0x5A: byte | 0x20
        case 0x61...0x7A: byte
        default: nil
        }
    }

    /// FNV-1a over the lowercased letters, the rest skipped: the hash of `key(text)`.
    private static func letterHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            guard let letter = lowercaseLetter(byte) else { continue }
            hash = (hash ^ UInt64(letter)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// `byName` by the hash of each key, with the key to confirm it.
    private static let byLetterHash: [UInt64: (key: [UInt8], code: String)] = {
        var table: [UInt64: (key: [UInt8], code: String)] = [:]
        for (name, code) in byName {
            let key = Array(name.utf8)
            let hash = key.withUnsafeBufferPointer { letterHash($0) }
            precondition(table[hash] == nil, "two state names share a hash")
            table[hash] = (key, code)
        }
        return table
    }()
}
