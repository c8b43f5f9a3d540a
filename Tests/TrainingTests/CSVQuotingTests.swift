import Testing
@testable import Training

/// RFC 4180 quoting: quoted fields hold commas, doubled quotes and line breaks; headers may be quoted;
/// an unterminated quote is an error naming the line, and the line and column bounds still hold.
@Suite struct CSVQuotingTests {
    func text(_ csv: String) throws -> CSVReader.TextTable {
        try CSVReader.readText(Array(csv.utf8), name: "q.csv")
    }

    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let lines = [
            #""id","note","y"\#r"#,
            #"1,"a, b",x\#r"#,
            #"2,"say ""hi""",y\#r"#,
            #"3,"two\#r"#,
            #"lines",z\#r"#,
            #"4,"lf"#,
            #"only", w \#r"#,
            #"5,"",""\#r"#,
        ]
        let table = try text(lines.joined(separator: "\n") + "\n")
        #expect(table.header == ["id", "note", "y"])
        #expect(table.rows.map { $0[1] } == ["a, b", "say \"hi\"", "two\r\nlines", "lf\nonly", ""])
        #expect(table.rows.map { $0[2] } == ["x", "y", "z", "w", ""])
        // Each row's line is where it starts; the rows after a multi-line one keep their file line numbers.
        #expect(table.lines == [2, 3, 4, 6, 8])
    }

    @Test func aQuotedHeaderWithACommaAndQuotedNumbers() throws {
        let csv = "\"width, cm\",\"label\"\n\"1.5\",cat\n 2 ,\"dog, big\"\n"
        let table = try CSVReader.read(Array(csv.utf8), name: "n.csv", label: "label")
        #expect(table.featureNames == ["width, cm"])
        #expect(table.values == [1.5, 2])
        #expect(table.labels == ["cat", "dog, big"])
        // The quoted comma no longer shifts the columns of the text table either.
        let encoded = try text(csv)
        #expect(encoded.rows == [["1.5", "cat"], ["2", "dog, big"]])
    }

    @Test func anUnterminatedQuoteNamesItsLine() throws {
        let error = try #require(throws: TrainingError.self) { _ = try text("a,b\n1,2\n3,\"open\n4,5\n") }
        #expect(error.code == .invalidData)
        #expect(error.message == "q.csv: line 3, column 2: unterminated quoted field (no closing \" before the end of the file)")
        let header = try #require(throws: TrainingError.self) { _ = try text("\"a,b\n1,2\n") }
        #expect(header.message.hasPrefix("q.csv: line 1, column 1: unterminated quoted field"))
    }

    @Test func textAfterAClosingQuoteIsAnError() throws {
        let error = try #require(throws: TrainingError.self) { _ = try text("a,b\n\"x\"y,2\n") }
        #expect(error.message == "q.csv: line 2, column 1: text after the closing quote of a quoted field")
    }

    @Test func aQuotedFieldCountsAsOneFieldAndANumberWithQuotesInsideIsNot() throws {
        let fields = try #require(throws: TrainingError.self) { _ = try text("a,b,y\n\"1,2\",0\n") }
        #expect(fields.message == "q.csv: line 2: expected 3 fields, found 2")
        let number = try #require(throws: TrainingError.self) {
            _ = try CSVReader.read(Array("a,y\n\"1\"\"\",0\n".utf8), name: "q.csv", label: "y")
        }
        #expect(number.message.contains("line 2, column 1") && number.message.contains("not a number"))
    }

    @Test func boundsHoldInsideQuotes() throws {
        // A quoted field spanning lines counts against the per-record byte limit.
        let long = Array("a,y\n\"".utf8) + [UInt8](repeating: UInt8(ascii: "\n"), count: DataLimits.maxLineBytes + 1) + Array("\",0\n".utf8)
        let line = try #require(throws: TrainingError.self) { _ = try CSVReader.read(long, name: "l.csv", label: "y") }
        #expect(line.message.contains("line 2") && line.message.contains("longer than \(DataLimits.maxLineBytes) bytes"))
        // Commas inside a quoted header field do not count as columns; real ones still do.
        let quotedCommas = "\"" + String(repeating: ",", count: DataLimits.maxColumns + 5) + "\",y\n1,0\n"
        #expect(try text(quotedCommas).header.count == 2)
        let wide = Array((0...DataLimits.maxColumns).map { "\"c\($0)\"" }.joined(separator: ",").utf8)
        let columns = try #require(throws: TrainingError.self) { _ = try CSVReader.readText(wide, name: "w.csv") }
        #expect(columns.message.contains("more than the \(DataLimits.maxColumns) allowed"))
    }
}
