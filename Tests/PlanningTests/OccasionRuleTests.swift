import Foundation
import Recipients
import Testing

@testable import Planning

/// The calendar arithmetic and date reading the occasions stand on, value by value.
struct CivilDateTests {
    @Test func dayNumbersRoundTripAndWeekdaysAreRight() throws {
        let epoch = try #require(CivilDate(year: 1970, month: 1, day: 1))
        #expect(epoch.dayNumber == 0)
        #expect(epoch.spelled == "Thu 1 Jan 1970")
        for number in stride(from: -30_000, through: 60_000, by: 97) {
            #expect(CivilDate(dayNumber: number).dayNumber == number)
        }
        #expect(try #require(CivilDate(year: 2027, month: 1, day: 24)).spelled == "Sun 24 Jan 2027")
        #expect(try #require(CivilDate(year: 1969, month: 12, day: 31)).spelled == "Wed 31 Dec 1969")
        #expect(CivilDate(year: 2027, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2028, month: 2, day: 29) != nil)
    }

    @Test func february29FallsOnThe28thInOtherYearsAndMonthsClampTheirEnd() throws {
        let leapDay = try #require(CivilDate(year: 2016, month: 2, day: 29))
        #expect(leapDay.anniversary(in: 2027).description == "2027-02-28")
        #expect(leapDay.anniversary(in: 2028).description == "2028-02-29")
        let endOfJanuary = try #require(CivilDate(year: 2026, month: 11, day: 30))
        #expect(endOfJanuary.adding(months: 3).description == "2027-02-28")
        #expect(try #require(CivilDate(year: 2027, month: 1, day: 31)).adding(months: 1).description == "2027-02-28")
        #expect(try #require(CivilDate(year: 2026, month: 12, day: 31)).adding(days: 1).description == "2027-01-01")
    }

    @Test func windowsReadAsMonthsRangesAndRelativeMonths() throws {
        let today = try #require(CivilDate(year: 2026, month: 12, day: 15))
        func window(_ text: String) throws -> String {
            let range = try OccasionRule.window(text, today: today)
            return "\(range.lowerBound)..\(range.upperBound)"
        }
        #expect(try window("2027-01") == "2027-01-01..2027-01-31")
        #expect(try window("2027-02") == "2027-02-01..2027-02-28")
        #expect(try window("next-month") == "2027-01-01..2027-01-31")
        #expect(try window("this-month") == "2026-12-01..2026-12-31")
        #expect(try window("2027-01-10..2027-02-05") == "2027-01-10..2027-02-05")
        #expect(try window("2027-01..2027-03") == "2027-01-01..2027-03-31")
        #expect(throws: PlanError.self) { try window("2027-13") }
        #expect(throws: PlanError.self) { try window("2027-02-01..2027-01-01") }
        #expect(throws: PlanError.self) { try window("2027-01..2028-03") }
        #expect(throws: PlanError.self) { try window("January") }
    }

    @Test func sendTimesReadAsPeopleWriteThem() throws {
        #expect(try OccasionRule.time("09:00") == (9, 0))
        #expect(try OccasionRule.time("14:30") == (14, 30))
        #expect(try OccasionRule.time("9am") == (9, 0))
        #expect(try OccasionRule.time("12 pm") == (12, 0))
        #expect(try OccasionRule.time("12am") == (0, 0))
        #expect(try OccasionRule.time("2:15pm") == (14, 15))
        #expect(throws: PlanError.self) { try OccasionRule.time("25:00") }
        #expect(throws: PlanError.self) { try OccasionRule.time("13pm") }
    }
}

struct DateColumnReaderTests {
    let today = CivilDate(dayNumber: CivilDate(year: 2026, month: 12, day: 15)?.dayNumber ?? 0)

    private func reader(_ values: [String], order: DateOrder? = nil, dates1904: Bool = false) throws
        -> DateColumnReader
    {
        try DateColumnReader(values: values, given: order, dates1904: dates1904, today: today)
    }

    private func read(_ text: String, _ reader: DateColumnReader) -> String {
        switch reader.read(text) {
        case .date(let date): date.description
        case .missing: "missing"
        case .unreadable(let reason): "unreadable: \(reason)"
        }
    }

    @Test func theOrderIsDecidedFromTheColumnsValues() throws {
        let us = try reader(["03/04/2019", "12/25/2020", "1/2/2021"])
        #expect(us.order == .mdy)
        #expect(read("03/04/2019", us) == "2019-03-04")
        #expect(read("1/2/2021", us) == "2021-01-02")
        let europe = try reader(["03/04/2019", "25/12/2020"])
        #expect(europe.order == .dmy)
        #expect(read("03/04/2019", europe) == "2019-04-03")
        #expect(europe.orderReason == "day/month/year, from values such as 25/12/2020")
        // Dots are day-first by convention when no value says.
        let dotted = try reader(["03.04.2019", "01.02.2020"])
        #expect(dotted.order == .dmy)
        #expect(read("03.04.2019", dotted) == "2019-04-03")
        // A column that never says is a question.
        #expect(throws: DateColumnReader.Ambiguous.self) { try reader(["03/04/2019", "01/02/2020"]) }
        #expect(try reader(["03/04/2019", "01/02/2020"], order: .dmy).order == .dmy)
        // Values that agree whichever way (05/05) and ISO dates need no decision.
        #expect(try reader(["2019-03-04", "05/05/2020"]).order == nil)
    }

    @Test func aValueAgainstTheColumnsOrderIsNotReadTheOtherWay() throws {
        let us = try reader(["12/25/2020", "12/24/2020", "25/12/2020"])
        #expect(us.order == .mdy)
        #expect(read("25/12/2020", us).hasPrefix("unreadable: \"25/12/2020\" is not a date in month/day/year"))
    }

    @Test func everyShapeHRSystemsWrite() throws {
        let us = try reader(["12/25/2020"])
        #expect(read("2019-03-04", us) == "2019-03-04")
        #expect(read("2019/03/04", us) == "2019-03-04")
        #expect(read("2019-03-04T00:00:00Z", us) == "2019-03-04")
        #expect(read("2019-03-04 00:00:00", us) == "2019-03-04")
        #expect(read("3/4/2019 12:00:00 AM", us) == "2019-03-04")
        #expect(read("4 Mar 2019", us) == "2019-03-04")
        #expect(read("March 4, 2019", us) == "2019-03-04")
        #expect(read("4-Mar-19", us) == "2019-03-04")
        #expect(read("Mon, 4 Mar 2019", us) == "2019-03-04")
        #expect(read("3/4/85", us) == "1985-03-04")
        #expect(read("3/4/19", us) == "2019-03-04")
        #expect(read("20190304", us) == "2019-03-04")
        // Birthdays without a year.
        #expect(read("03/04", us) == "03-04")
        #expect(read("Mar 4", us) == "03-04")
        #expect(read("02/29", us) == "02-29")
        #expect(read("", us) == "missing")
        #expect(read("02/30/2020", us).hasPrefix("unreadable"))
        #expect(read("2019-13-01", us).hasPrefix("unreadable"))
        #expect(read("soon", us).hasPrefix("unreadable"))
        #expect(read("1850-01-01", us).hasPrefix("unreadable"))
    }

    @Test func excelDayNumbersInBothDateSystems() throws {
        let sheet1900 = try reader([])
        #expect(read("43528", sheet1900) == "2019-03-04")
        #expect(read("43528.375", sheet1900) == "2019-03-04")
        #expect(read("3654", sheet1900) == "1910-01-01")
        // A year, or a count, in a date column is no day of 1905.
        #expect(read("2019", sheet1900).hasPrefix("unreadable: \"2019\" is a number, not a date"))
        let mac = try reader([], dates1904: true)
        #expect(read("42066", mac) == "2019-03-04")
        #expect(read("43528", mac) == "2023-03-05")
    }
}
