#!/usr/bin/env python3
"""Writes a realistic direct-send HR export: a title row above the header, a UTF-8 BOM,
quoted values with commas, state names, ZIP codes that lost their leading zero, phones in
every format, and about 1% of rows that fail validation. Deterministic for a given seed.

usage: generate.py ROWS OUTPUT [--seed N]
"""
import random
import sys

FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "Grace", "Hiroshi", "Isabel", "Jonas",
         "Kwame", "Lena", "Mateo", "Nadia", "Oliver", "Priya", "Quinn", "Rosa", "Samuel", "Tara",
         "Umar", "Valentina", "Wei", "Ximena", "Yusuf", "Zoë"]
LAST = ["Garcia", "Smith", "Nguyen", "O'Brien", "Müller", "Okafor", "Rossi", "Kim", "Patel", "Diaz",
        "Johnson", "Brown", "Lee", "Martin", "Ivanova", "Silva", "Cohen", "Haddad", "Kowalski", "Larsen"]
STREETS = ["Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Park Blvd", "Lake Rd", "Hill St",
           "Washington Ave", "Sunset Blvd", "Market St", "2nd Ave"]
PLACES = [("Boston", "MA", "02134"), ("Hartford", "CT", "06103"), ("Newark", "NJ", "07102"),
          ("New York", "NY", "10022"), ("Austin", "TX", "78701"), ("Denver", "CO", "80202"),
          ("Seattle", "WA", "98101"), ("Chicago", "IL", "60611"), ("Miami", "FL", "33101"),
          ("Portland", "OR", "97205"), ("San Juan", "PR", "00901"), ("Atlanta", "GA", "30303")]
STATE_NAMES = {"MA": "Massachusetts", "CT": "Connecticut", "NJ": "New Jersey", "NY": "New York",
               "TX": "Texas", "CO": "Colorado", "WA": "Washington", "IL": "Illinois", "FL": "Florida",
               "OR": "Oregon", "PR": "Puerto Rico", "GA": "Georgia"}
DEPARTMENTS = ["Engineering", "Sales", "Support", "Finance", "People", "Design", "Operations"]
MANAGERS = ["Sam Lee", "Priya Shah", "Marcus Hale", "Renée Dubois", "Dana Cole"]
HEADER = ["Employee ID", "Legal First Name", "Legal Last Name", "Preferred Name", "Work Email",
          "Mobile Phone", "Home Address Line 1", "Home Address Line 2", "City", "State", "Postal Code",
          "Country", "Manager", "Department", "Hire Date"]


def quote(value):
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def row(index, rng):
    first = FIRST[rng.randrange(len(FIRST))]
    last = LAST[rng.randrange(len(LAST))]
    city, state, zip5 = PLACES[rng.randrange(len(PLACES))]
    roll = rng.random()
    if roll < 0.2:
        state = STATE_NAMES[state]
    if roll < 0.1 and zip5.startswith("0"):
        zip5 = zip5.lstrip("0")
    phone = ["(%03d) 555-%04d", "%03d-555-%04d", "+1%03d555%04d", ""][index % 4]
    phone = phone % (200 + index % 700, index % 10000) if phone else ""
    address2 = "Apt %d, Floor %d" % (index % 90 + 1, index % 9 + 1) if index % 5 == 0 else ""
    email = "%s.%s.%d@acme.example" % (first.lower().replace("é", "e").replace("ë", "e"),
                                      last.lower().replace("'", "").replace("ü", "u"), index)
    country = "US" if index % 3 else "United States"
    # About 1% of rows break a rule: a missing street, a bad ZIP or a bad email.
    bad = rng.random()
    address1 = "%d %s" % (index % 9000 + 1, STREETS[index % len(STREETS)])
    if bad < 0.004:
        address1 = ""
    elif bad < 0.007:
        zip5 = "ABC12"
    elif bad < 0.01:
        email = email.replace("@", "")
    return ["E%07d" % index, first, last, "", email, phone, address1, address2, city, state, zip5,
            country, MANAGERS[index % len(MANAGERS)], DEPARTMENTS[index % len(DEPARTMENTS)],
            "20%02d-%02d-%02d" % (10 + index % 15, index % 12 + 1, index % 28 + 1)]


def main():
    rows = int(sys.argv[1])
    output = sys.argv[2]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 42
    rng = random.Random(seed)
    with open(output, "w", encoding="utf-8", newline="") as handle:
        handle.write("\ufeff")
        handle.write("Anniversary gifts - direct send export\r\n")
        handle.write(",".join(HEADER) + "\r\n")
        for index in range(rows):
            handle.write(",".join(quote(value) for value in row(index, rng)) + "\r\n")


if __name__ == "__main__":
    main()
