#!/usr/bin/env python3
"""The comparison point for `goody-batch validate`: the same checks on a direct-send export,
written plainly with Python's csv module. Streams the file; writes rejected rows.

usage: validate.py FILE REJECTED
"""
import csv
import re
import sys

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho",
    "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia", "PR": "Puerto Rico", "GU": "Guam",
    "VI": "U.S. Virgin Islands", "AS": "American Samoa", "MP": "Northern Mariana Islands",
    "FM": "Federated States of Micronesia", "MH": "Marshall Islands", "PW": "Palau",
    "AA": "Armed Forces Americas", "AE": "Armed Forces Europe", "AP": "Armed Forces Pacific",
}
BY_NAME = {re.sub("[^a-z]", "", name.lower()): code for code, name in STATES.items()}
US = {"us", "usa", "unitedstates", "unitedstatesofamerica", "america"}
EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@([A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}$")
ALIASES = {
    "firstname": "first_name", "legalfirstname": "first_name", "lastname": "last_name",
    "legallastname": "last_name", "email": "email", "workemail": "email", "mobilephone": "phone",
    "phone": "phone", "homeaddressline1": "address_1", "address1": "address_1", "homeaddressline2": "address_2",
    "address2": "address_2", "city": "city", "state": "state", "postalcode": "postal_code", "zip": "postal_code",
    "country": "country",
}


def key(header):
    return re.sub("[^a-z0-9]", "", header.lower())


def collapse(value):
    return " ".join(value.split())


def zip_code(value):
    value = value.strip()
    if value.endswith(".0"):
        value = value[:-2]
    digits = value.replace("-", "").replace(" ", "")
    if not digits.isdigit():
        return None
    if len(digits) in (3, 4):
        digits = digits.zfill(5)
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) == 5:
        return digits
    if len(digits) == 9:
        return digits[:5] + "-" + digits[5:]
    return None


def phone(value):
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return None
    return "+1" + digits


def main():
    path, rejected_path = sys.argv[1], sys.argv[2]
    counts = {"rows": 0, "ok": 0, "errors": 0}
    emails, addresses = {}, {}
    with open(path, newline="", encoding="utf-8-sig") as handle, open(rejected_path, "w", newline="") as out:
        reader = csv.reader(handle)
        writer = csv.writer(out)
        header = None
        for row in reader:
            if sum(1 for cell in row if key(cell) in ALIASES) >= 2:
                header = row
                break
        columns = {ALIASES[key(name)]: index for index, name in enumerate(header) if key(name) in ALIASES}
        writer.writerow(header + ["error"])
        line = 0
        for row in reader:
            line += 1
            if not any(row):
                continue
            counts["rows"] += 1
            value = {field: collapse(row[index]) if index < len(row) else "" for field, index in columns.items()}
            errors = []
            if not value.get("first_name"):
                errors.append("first name missing")
            email = value.get("email", "")
            if email and not EMAIL.match(email):
                errors.append("email not valid")
            if value.get("phone") and phone(value["phone"]) is None:
                errors.append("phone not valid")
            for field in ("address_1", "city", "state", "postal_code"):
                if not value.get(field):
                    errors.append(field + " missing")
            state = value.get("state", "")
            if state and state.upper() not in STATES and re.sub("[^a-z]", "", state.lower()) not in BY_NAME:
                errors.append("state not valid")
            if value.get("postal_code") and zip_code(value["postal_code"]) is None:
                errors.append("ZIP not valid")
            if key(value.get("country", "us")) not in US:
                errors.append("country outside the US")
            if email:
                earlier = emails.setdefault(email.lower(), line)
                if earlier != line:
                    errors.append("same email as line %d" % earlier)
            address = "|".join(value.get(f, "").lower() for f in ("first_name", "last_name", "address_1", "address_2"))
            address += "|" + (zip_code(value.get("postal_code", "")) or "")[:5]
            earlier = addresses.setdefault(address, line)
            if earlier != line:
                errors.append("same name and address as line %d" % earlier)
            if errors:
                counts["errors"] += 1
                writer.writerow(row + ["; ".join(errors)])
            else:
                counts["ok"] += 1
    print("%(rows)d rows: %(ok)d OK, %(errors)d with errors" % counts)
    return 1 if counts["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
