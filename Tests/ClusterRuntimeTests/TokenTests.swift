import ClusterRuntime
import Foundation
import GRPCCore
import Testing

/// The bearer-token comparison both planes use, and what a token file must be.
@Suite struct TokenTests {
    /// Random printable bytes (what a token or a header could hold).
    static func randomBytes(_ count: Int, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 33...126, using: &generator) }
    }

    @Test("constantTimeEquals equals == for every length 0-600: random, prefixes, one differing byte, lengths 256·k apart")
    func constantTimeEqualsIsEquality() {
        var generator = SystemRandomNumberGenerator()
        var disagreements: [String] = []
        func check(_ a: [UInt8], _ b: [UInt8]) {
            let equal = a == b
            if BearerToken.constantTimeEquals(a, b) != equal || BearerToken.constantTimeEquals(b, a) != equal {
                disagreements.append("lengths \(a.count) and \(b.count) (equal: \(equal))")
            }
        }
        for length in 0...600 {
            let token = Self.randomBytes(length, using: &generator)
            check(token, token)
            check(token, Self.randomBytes(length, using: &generator))
            check(token, Self.randomBytes(Int.random(in: 0...600, using: &generator), using: &generator))
            for prefix in 0..<length { check(Array(token[..<prefix]), token) }
            for position in 0..<length {
                var other = token
                other[position] ^= UInt8.random(in: 1...255, using: &generator)
                check(token, other)
            }
            for k in 1...3 where length + 256 * k <= 856 {
                // Longer by 256·k: a difference folded into 8 bits would vanish.
                check(token, token + Self.randomBytes(256 * k, using: &generator))
                check(token, token + [UInt8](repeating: 0, count: 256 * k))
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test("a prefix of `Bearer <token>` is refused for tokens of 249-256 characters (the 8-bit length fold)")
    func prefixesOfTheHeaderAreRefused() {
        for length in 240...264 {
            let token = String(repeating: "k", count: length)
            let expected = "Bearer " + token
            #expect(BearerToken.constantTimeEquals(expected, expected))
            for header in ["", "Bearer", "Bearer ", "Bearer k", String(expected.dropLast())] {
                #expect(!BearerToken.constantTimeEquals(header, expected), "\(header.count)-character header vs \(length)-character token")
            }
        }
    }

    /// A file with `text` and `mode` in a fresh directory.
    func tokenFile(_ text: String, mode: Int) throws -> String {
        let path = try temporaryDirectory("token").appendingPathComponent("token").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    @Test("a 0600 or 0400 token file of at least 16 bytes is read, trimmed")
    func goodTokenFiles() throws {
        for mode in [0o600, 0o400] {
            let path = try tokenFile("  0123456789abcdef\n", mode: mode)
            #expect(try RPCSecurity.readToken(file: path) == "0123456789abcdef")
        }
    }

    @Test("a token file readable by group or others is refused, naming the file and chmod 600")
    func looseModesAreRefused() throws {
        for mode in [0o640, 0o644, 0o604, 0o660, 0o610, 0o601, 0o440] {
            let path = try tokenFile("0123456789abcdef0123", mode: mode)
            let error = #expect(throws: RuntimeFailure.self) { try RPCSecurity.readToken(file: path) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains(path) == true && error?.message.contains("chmod 600") == true, "\(error?.message ?? "")")
        }
    }

    @Test("tokens under 16 bytes, empty files and multi-line tokens are refused")
    func shortAndMalformedTokensAreRefused() throws {
        for text in ["", "\n", "0123456789abcde", "short", "0123456789abcdef\n0123456789abcdef", "0123456789 abcdef"] {
            let path = try tokenFile(text, mode: 0o600)
            let error = #expect(throws: RuntimeFailure.self) { try RPCSecurity.readToken(file: path) }
            #expect(error?.message.contains(path) == true)
        }
        let short = try tokenFile("0123456789abcde", mode: 0o600)
        let error = #expect(throws: RuntimeFailure.self) { try RPCSecurity.readToken(file: short) }
        #expect(error?.message.contains("16") == true)
    }

    @Test("a missing token file and an oversized one are refused")
    func missingAndHugeFilesAreRefused() throws {
        #expect(throws: RuntimeFailure.self) { try RPCSecurity.readToken(file: "/nonexistent/tessera-token") }
        let huge = try tokenFile(String(repeating: "a", count: RPCSecurity.maximumTokenFileBytes + 1), mode: 0o600)
        #expect(throws: RuntimeFailure.self) { try RPCSecurity.readToken(file: huge) }
    }
}
