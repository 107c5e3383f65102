import Testing
import TriadCore

struct OutputTests {
    @Test func jsonEscapesAndKeepsKeyOrder() {
        let value = JSON.object([
            "b": .string("a \"quoted\"\\ line\nwith\ttab and \u{01}"), "a": .number(0.1234567891),
            "n": .number(.nan), "big": .unsigned(UInt64.max), "list": .array([.integer(-3), .bool(true), .null]),
        ])
        #expect(
            value.rendered
                == #"{"b":"a \"quoted\"\\ line\nwith\ttab and \u0001","a":0.123456789,"n":0,"big":18446744073709551615,"list":[-3,true,null]}"#
        )
        #expect(JSON.format(2.0) == "2" && JSON.format(-1234.5) == "-1234.50000")
    }

    @Test func csvQuotesWhatNeedsItAndReadsItBack() {
        let fields = ["plain", "with,comma", "with \"quote\"", ""]
        let line = CSV.line(fields)
        #expect(line == #"plain,"with,comma","with ""quote""","#)
        #expect(CSV.fields(Substring(line)) == fields)
        #expect(CSV.fields("\"open") == nil)
    }

    @Test func tablesAlignNumbersRight() {
        let text = TextTable.render([["name", "value"], ["a", "1"], ["long name", "100"]])
        #expect(text == "name       value\n─────────  ─────\na              1\nlong name    100\n")
    }
}
