#!/usr/bin/env python3
"""Writes a direct-send export as an Excel workbook the way Excel saves one: every text value
in the shared-strings table, ZIP codes and employee numbers as numbers, hire dates as day
numbers with a date style, a title row above the header.

    python3 bench/generate_xlsx.py ROWS OUT.xlsx
"""
import random
import sys
import zipfile
from xml.sax.saxutils import escape

rows, out = int(sys.argv[1]), sys.argv[2]
random.seed(7)
firsts = ["Ana", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "Grace", "Hiro", "Isabel", "Jonas"]
lasts = ["Lee", "Okafor", "Díaz", "Nguyen", "Smith", "Kowalski", "Haddad", "Berg", "Rossi", "Kim"]
streets = ["Main St", "Elm St", "Oak Ave", "Pine Rd", "Maple Dr", "Cedar Ln"]
cities = [("Boston", "MA", 2134), ("Newark", "NJ", 7102), ("Austin", "TX", 73301), ("Denver", "CO", 80202)]

strings, index = [], {}


def shared(text):
    if text not in index:
        index[text] = len(strings)
        strings.append(text)
    return index[text]


header = ["Employee Number", "First Name", "Last Name", "Work Email", "Home Address Line 1", "City",
          "State", "ZIP", "Manager", "Hire Date"]


def cell(ref, value):
    if isinstance(value, str):
        return '<c r="%s" t="s"><v>%d</v></c>' % (ref, shared(value))
    if isinstance(value, tuple):
        return '<c r="%s" s="1"><v>%d</v></c>' % (ref, value[0])
    return '<c r="%s"><v>%s</v></c>' % (ref, value)


with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
    with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
        sheet.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        sheet.write(('<row r="1">%s</row>' % cell("A1", "Work Anniversaries")).encode())
        letters = "ABCDEFGHIJ"
        sheet.write(('<row r="3">%s</row>' % "".join(cell(letters[i] + "3", h) for i, h in enumerate(header))).encode())
        for n in range(rows):
            r = n + 4
            first, last = random.choice(firsts), random.choice(lasts)
            city, state, zip_code = random.choice(cities)
            values = [100000 + n, first, last, "%s.%s.%d@acme.example" % (first.lower(), last.lower(), n),
                      "%d %s" % (random.randint(1, 999), random.choice(streets)), city, state, zip_code,
                      "Manager %d" % (n % 400), (40000 + n % 5000,)]
            sheet.write(('<row r="%d">%s</row>' % (r, "".join(cell(letters[i] + str(r), v) for i, v in enumerate(values)))).encode())
        sheet.write(b"</sheetData></worksheet>")
    package.writestr("xl/sharedStrings.xml",
                     '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                     '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     + "".join("<si><t>%s</t></si>" % escape(s) for s in strings) + "</sst>")
    package.writestr("xl/styles.xml",
                     '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                     '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>')
    package.writestr("xl/workbook.xml",
                     '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Employees" sheetId="1" r:id="rId1"/></sheets></workbook>')
    package.writestr("xl/_rels/workbook.xml.rels",
                     '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    package.writestr("[Content_Types].xml",
                     '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
