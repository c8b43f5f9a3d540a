/// The HTTP server's fast reader of the commonest prediction body, `{"instances": [[numbers…], …]}` (an optional
/// `"signature_name"` beside it): it reads only bodies `PredictRequest(json:)` accepts and finds the same instances in
/// them (`fuzz-predict` checks both on every input). Anything else — objects of named values, an escape in a string, a
/// body over the limits, any error — is nil, and the caller hands the body to `PredictRequest`, whose sentence names
/// the problem. Numbers of at most 15 digits without exponent (`-?D+(.D+)?`) are converted exactly here; every other
/// number by the same `Double(String)` `PredictRequest` uses.
package struct NumberRowsReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let limits: PredictRequest.Limits
    /// `Self.powersOfTen`, fetched once per request rather than once per number.
    private let powersOfTen: [Double]
    private var i = 0

    /// Most digits a number converted here may have: below 2^53, so the digits are an exact Double.
    static let maxExactDigits = 15

    /// 10^0 … 10^15, each exact in a Double: one division by an exact power rounds correctly, as strtod does.
    private static let powersOfTen: [Double] = (0...maxExactDigits).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    /// The instances of `body` when it is a request of number rows within `limits`; nil for anything else.
    package static func instances(_ body: UnsafeBufferPointer<UInt8>, limits: PredictRequest.Limits) -> [RawExample]? {
        guard body.count <= limits.maxBodyBytes else { return nil }
        var reader = NumberRowsReader(bytes: body, limits: limits)
        return reader.request()
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, limits: PredictRequest.Limits) {
        self.bytes = bytes
        self.limits = limits
        powersOfTen = Self.powersOfTen
    }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    /// The next byte after white space (not consumed); nil at the end.
    private mutating func peek() -> UInt8? {
        skipSpace()
        return i < bytes.count ? bytes[i] : nil
    }

    /// Consumes `c` after white space; false when the next byte is another.
    private mutating func take(_ c: UInt8) -> Bool {
        guard peek() == c else { return false }
        i += 1
        return true
    }

    /// The top level: "instances" (required, once) and "signature_name" (a string, ignored), nothing after the object.
    private mutating func request() -> [RawExample]? {
        guard take(0x7B), peek() != 0x7D else { return nil }
        var instances: [RawExample]?
        while true {
            guard let key = plainString() else { return nil }
            guard take(0x3A) else { return nil }
            if key.elementsEqual("instances".utf8) {
                guard instances == nil, let list = instanceList() else { return nil }
                instances = list
            } else if key.elementsEqual("signature_name".utf8) {
                guard plainString() != nil else { return nil }
            } else {
                return nil
            }
            guard let next = peek() else { return nil }
            i += 1
            if next == 0x7D { break }
            guard next == 0x2C else { return nil }
        }
        guard peek() == nil else { return nil }
        return instances
    }

    /// A string without escapes or control characters (what `PredictRequest` reads the same way), as its bytes.
    private mutating func plainString() -> UnsafeBufferPointer<UInt8>? {
        guard take(0x22) else { return nil }
        let start = i
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x22 {
                i += 1
                return UnsafeBufferPointer(rebasing: bytes[start..<(i - 1)])
            }
            guard c != 0x5C, c >= 0x20 else { return nil }
            i += 1
        }
        return nil
    }

    private mutating func instanceList() -> [RawExample]? {
        guard take(0x5B) else { return nil }
        var out: [RawExample] = []
        if peek() == 0x5D { i += 1; return out }
        // Values are read into one scratch row and each instance keeps an exact copy: rows of different widths never
        // hold capacity they do not use (a wide row followed by thousands of "[]" costs no more than the wide row).
        var scratch: [Double] = []
        while true {
            guard out.count < limits.maxInstances, peek() == 0x5B, numberRow(into: &scratch) else { return nil }
            out.append(.numbers([Double](unsafeUninitializedCapacity: scratch.count) { buffer, count in
                count = buffer.initialize(fromContentsOf: scratch)
            }))
            guard let next = peek() else { return nil }
            i += 1
            if next == 0x5D { return out }
            guard next == 0x2C else { return nil }
        }
    }

    /// One instance into `row` (emptied first); false when it is not a list of at most `maxValuesPerInstance` numbers.
    private mutating func numberRow(into row: inout [Double]) -> Bool {
        guard take(0x5B) else { return false }
        row.removeAll(keepingCapacity: true)
        if peek() == 0x5D { i += 1; return true }
        while true {
            guard row.count < limits.maxValuesPerInstance, let value = number() else { return false }
            row.append(value)
            guard let next = peek() else { return false }
            i += 1
            if next == 0x5D { return true }
            guard next == 0x2C else { return false }
        }
    }

    /// Whether `c` may be part of a number token (`PredictRequest`'s set: digits, + - . e E).
    private static func isNumberByte(_ c: UInt8) -> Bool {
        (0x30...0x39).contains(c) || c == 0x2D || c == 0x2B || c == 0x2E || c == 0x65 || c == 0x45
    }

    /// A finite number: the same token `PredictRequest` reads (the bytes up to the first outside its set, at most
    /// 64), the same value. One pass reads `-?D+(.D+)?` of at most `maxExactDigits` digits exactly; any other token
    /// goes through `Double(String)` as there.
    private mutating func number() -> Double? {
        skipSpace()
        let start = i
        var j = i
        let negative = j < bytes.count && bytes[j] == 0x2D
        if negative { j += 1 }
        var mantissa: UInt64 = 0
        var digits = 0, fractionDigits = 0
        var point = false
        // Past 19 digits the mantissa wraps; such a token is more than `maxExactDigits` and converted below instead.
        while j < bytes.count {
            let digit = bytes[j] &- 0x30
            if digit < 10 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                digits += 1
                if point { fractionDigits += 1 }
            } else if bytes[j] == 0x2E, !point, digits > 0 {
                point = true
            } else {
                break
            }
            j += 1
        }
        if digits > 0, digits <= Self.maxExactDigits, !point || fractionDigits > 0, j == bytes.count || !Self.isNumberByte(bytes[j]) {
            i = j
            let magnitude = fractionDigits == 0 ? Double(mantissa) : Double(mantissa) / powersOfTen[fractionDigits]
            return negative ? -magnitude : magnitude
        }
        while i < bytes.count, Self.isNumberByte(bytes[i]) { i += 1 }
        guard i > start, i - start <= 64 else { return nil }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }
}
