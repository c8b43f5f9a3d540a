import DataPlane
import Training

/// A TensorFlow Serving REST predict request, `{"instances": [...]}` (an optional `"signature_name"` is accepted and
/// ignored): rows of numbers, or objects of named values (numbers, text, null) for tabular models. Read by a small
/// parser of exactly this shape, every count bounded before anything grows; errors name the problem and its offset.
public struct PredictRequest: Sendable, Equatable {
    /// The examples, in request order.
    public var instances: [RawExample]

    /// Bounds on what one request may hold.
    public struct Limits: Sendable, Equatable {
        /// Largest body accepted, in bytes.
        public var maxBodyBytes: Int
        /// Most instances in one request.
        public var maxInstances: Int
        /// Most values in one instance.
        public var maxValuesPerInstance: Int

        /// Limits; the defaults take a batch of 1,024 MNIST images as JSON.
        public init(maxBodyBytes: Int = 16 << 20, maxInstances: Int = 4096, maxValuesPerInstance: Int = 65_536) {
            self.maxBodyBytes = maxBodyBytes
            self.maxInstances = maxInstances
            self.maxValuesPerInstance = maxValuesPerInstance
        }
    }

    /// Parses a request body; INVALID_ARGUMENT (RESOURCE_EXHAUSTED past `limits`) with a sentence naming the problem.
    public init(json body: [UInt8], limits: Limits = Limits()) throws {
        try limits.check(bytes: body.count)
        var reader = JSONReader(body)
        instances = try reader.request(limits)
    }

    /// A request of `count` instances a transport decoded itself (gRPC `Predict`): `count` is checked against
    /// `maxInstances` before anything is allocated, then `instance(i)` converts instance i (`numbers`/`fields` below
    /// check its values), so both interfaces refuse the same requests with the same sentences.
    public init(count: Int, limits: Limits, instance: (Int) throws(RuntimeFailure) -> RawExample) throws(RuntimeFailure) {
        try limits.check(instances: count)
        var instances: [RawExample] = []
        instances.reserveCapacity(count)
        for i in 0..<count { instances.append(try instance(i)) }
        self.instances = instances
    }

    /// Instance `index` as a row of numbers; RESOURCE_EXHAUSTED past `maxValuesPerInstance` (finiteness and width are
    /// the preprocessing's to check, for every interface).
    public static func numbers(_ values: [Double], instance index: Int, limits: Limits) throws(RuntimeFailure) -> RawExample {
        try limits.check(values: values.count, instance: index)
        return .numbers(values)
    }

    /// Instance `index` as `count` named values: `count` is checked against `maxValuesPerInstance` before `values()`
    /// builds them.
    public static func fields(
        count: Int, instance index: Int, limits: Limits, _ values: () -> [String: Preprocessing.RawValue]
    ) throws(RuntimeFailure) -> RawExample {
        try limits.check(values: count, instance: index)
        return .fields(values())
    }
}

extension PredictRequest.Limits {
    /// RESOURCE_EXHAUSTED when a request of `bytes` (a JSON body, a gRPC message) is over `maxBodyBytes`.
    public func check(bytes: Int) throws(RuntimeFailure) {
        guard bytes <= maxBodyBytes else {
            throw RuntimeFailure(.resourceExhausted, "the request body has \(bytes) bytes, more than the \(maxBodyBytes) a prediction request may have")
        }
    }

    /// RESOURCE_EXHAUSTED when a request would hold `count` instances, more than `maxInstances`.
    public func check(instances count: Int) throws(RuntimeFailure) {
        guard count <= maxInstances else {
            throw RuntimeFailure(.resourceExhausted, "a prediction request holds at most \(maxInstances) instances")
        }
    }

    /// RESOURCE_EXHAUSTED when instance `index` would hold `count` values, more than `maxValuesPerInstance`.
    public func check(values count: Int, instance index: Int) throws(RuntimeFailure) {
        guard count <= maxValuesPerInstance else {
            throw RuntimeFailure(.resourceExhausted, "instance \(index): an instance holds at most \(maxValuesPerInstance) values")
        }
    }
}

/// The reader of `PredictRequest` bodies: objects, arrays, numbers, strings, true/false/null, nested at most 3 deep.
struct JSONReader {
    let bytes: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ what: String) -> RuntimeFailure {
        RuntimeFailure(.invalidArgument, "bad prediction request at byte \(i): \(what); expected {\"instances\": [[numbers…], …]} or {\"instances\": [{\"feature\": value, …}, …]}")
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func expect(_ c: UInt8) throws(RuntimeFailure) {
        skipSpace()
        guard i < bytes.count, bytes[i] == c else { throw fail("expected '\(Character(Unicode.Scalar(c)))'") }
        i += 1
    }

    mutating func peek() -> UInt8? {
        skipSpace()
        return i < bytes.count ? bytes[i] : nil
    }

    /// The top level: an object with "instances" (required) and "signature_name" (ignored).
    mutating func request(_ limits: PredictRequest.Limits) throws(RuntimeFailure) -> [RawExample] {
        try expect(0x7B)
        var instances: [RawExample]?
        if peek() == 0x7D { i += 1; throw fail("no \"instances\"") }
        while true {
            let key = try string()
            try expect(0x3A)
            switch key {
            case "instances":
                guard instances == nil else { throw fail("\"instances\" given twice") }
                instances = try instanceList(limits)
            case "signature_name":
                _ = try string()
            default:
                throw fail("unknown key \"\(key.prefix(40))\" (TF Serving's columnar \"inputs\" form is not supported)")
            }
            guard let next = peek() else { throw fail("the object is not closed") }
            i += 1
            if next == 0x7D { break }
            guard next == 0x2C else { throw fail("expected ',' or '}'") }
        }
        guard peek() == nil else { throw fail("text after the request object") }
        guard let instances else { throw fail("no \"instances\"") }
        return instances
    }

    mutating func instanceList(_ limits: PredictRequest.Limits) throws(RuntimeFailure) -> [RawExample] {
        try expect(0x5B)
        var out: [RawExample] = []
        if peek() == 0x5D { i += 1; return out }
        while true {
            try limits.check(instances: out.count + 1)
            switch peek() {
            case 0x5B: out.append(.numbers(try numberRow(limits, instance: out.count)))
            case 0x7B: out.append(.fields(try fieldObject(limits, instance: out.count)))
            default: throw fail("an instance is a list of numbers or an object of named values")
            }
            guard let next = peek() else { throw fail("the instance list is not closed") }
            i += 1
            if next == 0x5D { return out }
            guard next == 0x2C else { throw fail("expected ',' or ']'") }
        }
    }

    mutating func numberRow(_ limits: PredictRequest.Limits, instance: Int) throws(RuntimeFailure) -> [Double] {
        try expect(0x5B)
        var row: [Double] = []
        if peek() == 0x5D { i += 1; return row }
        while true {
            try limits.check(values: row.count + 1, instance: instance)
            row.append(try number())
            guard let next = peek() else { throw fail("the instance is not closed") }
            i += 1
            if next == 0x5D { return row }
            guard next == 0x2C else { throw fail("expected ',' or ']' in an instance") }
        }
    }

    mutating func fieldObject(_ limits: PredictRequest.Limits, instance: Int) throws(RuntimeFailure) -> [String: Preprocessing.RawValue] {
        try expect(0x7B)
        var fields: [String: Preprocessing.RawValue] = [:]
        if peek() == 0x7D { i += 1; return fields }
        while true {
            try limits.check(values: fields.count + 1, instance: instance)
            let name = try string()
            try expect(0x3A)
            let value: Preprocessing.RawValue
            switch peek() {
            case 0x22: value = .text(try string())
            case 0x6E: try literal("null"); value = .missing
            default: value = .number(try number())
            }
            guard fields.updateValue(value, forKey: name) == nil else { throw fail("feature \"\(name.prefix(40))\" given twice") }
            guard let next = peek() else { throw fail("the instance is not closed") }
            i += 1
            if next == 0x7D { return fields }
            guard next == 0x2C else { throw fail("expected ',' or '}' in an instance") }
        }
    }

    mutating func literal(_ word: String) throws(RuntimeFailure) {
        for c in word.utf8 {
            guard i < bytes.count, bytes[i] == c else { throw fail("expected \(word)") }
            i += 1
        }
    }

    /// A JSON number (finite, as a Double).
    mutating func number() throws(RuntimeFailure) -> Double {
        skipSpace()
        let start = i
        while i < bytes.count, (0x30...0x39).contains(bytes[i]) || bytes[i] == 0x2D || bytes[i] == 0x2B || bytes[i] == 0x2E || bytes[i] == 0x65 || bytes[i] == 0x45 {
            i += 1
        }
        guard i > start, i - start <= 64 else { throw fail(i == start ? "expected a number" : "a number of more than 64 characters") }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw fail("\"\(text)\" is not a finite number") }
        return value
    }

    /// A JSON string without escapes other than \" \\ \/ \n \t \r \b \f and \uXXXX.
    mutating func string() throws(RuntimeFailure) -> String {
        try expect(0x22)
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            switch c {
            case 0x22: return String(decoding: out, as: UTF8.self)
            case 0x5C:
                guard i < bytes.count else { throw fail("the string is not closed") }
                let e = bytes[i]
                i += 1
                switch e {
                case 0x22, 0x5C, 0x2F: out.append(e)
                case 0x6E: out.append(0x0A)
                case 0x74: out.append(0x09)
                case 0x72: out.append(0x0D)
                case 0x62: out.append(0x08)
                case 0x66: out.append(0x0C)
                case 0x75:
                    guard i + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                        throw fail("a bad \\u escape")
                    }
                    i += 4
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8))
                default: throw fail("a bad escape")
                }
            case 0..<0x20: throw fail("a control character in a string")
            default: out.append(c)
            }
        }
        throw fail("the string is not closed")
    }
}
