import Foundation

extension StepDelay {
    /// Why a `--step-delay` value was refused, as a sentence naming the problem and the limit.
    public struct ParseError: Error, CustomStringConvertible, Equatable, Sendable {
        /// What is wrong.
        public var message: String
        /// The sentence.
        public var description: String { message }
        init(_ message: String) { self.message = message }
    }

    /// Longest `--step-delay` value accepted, in characters.
    public static let maxSpecLength = 4096

    /// The forms, for error messages.
    static let forms = "constant:MS, normal:MEAN_MS,STDDEV_MS, lognormal:MEDIAN_MS,SIGMA or empirical:PATH"
}

extension StepDelay.Distribution {
    /// Parses `constant:MS`, `normal:MEAN_MS,STDDEV_MS`, `lognormal:MEDIAN_MS,SIGMA` or `empirical:PATH` (a text file
    /// of step times in ms, one per line; blank lines and `#` comments skipped); `readFile` reads the empirical file.
    public init(parsing text: String, readFile: (String) throws(StepDelay.ParseError) -> String = StepDelay.readEmpiricalFile) throws(StepDelay.ParseError) {
        guard text.utf8.count <= StepDelay.maxSpecLength else {
            throw StepDelay.ParseError("is \(text.utf8.count) bytes long; at most \(StepDelay.maxSpecLength)")
        }
        guard let colon = text.firstIndex(of: ":") else {
            throw StepDelay.ParseError("'\(text)' has no form: use \(StepDelay.forms)")
        }
        let form = text[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let rest = String(text[text.index(after: colon)...])
        switch form {
        case "constant":
            let values = try Self.numbers(rest, form: form, names: ["MS"])
            self = .constant(ms: try Self.milliseconds(values[0], "MS"))
        case "normal":
            let values = try Self.numbers(rest, form: form, names: ["MEAN_MS", "STDDEV_MS"])
            self = .normal(meanMs: try Self.milliseconds(values[0], "MEAN_MS"), stddevMs: try Self.milliseconds(values[1], "STDDEV_MS"))
        case "lognormal":
            let values = try Self.numbers(rest, form: form, names: ["MEDIAN_MS", "SIGMA"])
            let sigma = values[1]
            guard sigma >= 0, sigma <= StepDelay.maxSigma else {
                throw StepDelay.ParseError("lognormal SIGMA must be between 0 and \(Int(StepDelay.maxSigma)), got \(sigma)")
            }
            self = .lognormal(medianMs: try Self.milliseconds(values[0], "MEDIAN_MS"), sigma: sigma)
        case "empirical":
            let path = rest.trimmingCharacters(in: .whitespaces)
            guard !path.isEmpty else { throw StepDelay.ParseError("empirical needs a file: empirical:PATH") }
            self = .empirical(samplesMs: try Self.samples(readFile(path), path: path))
        default:
            throw StepDelay.ParseError("'\(form)' is not a distribution: use \(StepDelay.forms)")
        }
    }

    /// The comma-separated finite numbers of a form, exactly as many as `names`.
    private static func numbers(_ text: String, form: String, names: [String]) throws(StepDelay.ParseError) -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == names.count else {
            throw StepDelay.ParseError("\(form) takes \(names.count) number\(names.count == 1 ? "" : "s") (\(form):\(names.joined(separator: ","))), got '\(text)'")
        }
        var values: [Double] = []
        for (part, name) in zip(parts, names) {
            guard let value = Double(part), value.isFinite else {
                throw StepDelay.ParseError("\(form) \(name) must be a finite number, got '\(part)'")
            }
            values.append(value)
        }
        return values
    }

    /// A duration in milliseconds within `0...StepDelay.maxMilliseconds`.
    private static func milliseconds(_ value: Double, _ name: String) throws(StepDelay.ParseError) -> Double {
        guard value >= 0, value <= StepDelay.maxMilliseconds else {
            throw StepDelay.ParseError("\(name) must be between 0 and \(Int(StepDelay.maxMilliseconds)) ms (one hour), got \(value)")
        }
        return value
    }

    /// The step times of an empirical file's text.
    static func samples(_ text: String, path: String) throws(StepDelay.ParseError) -> [Double] {
        var samples: [Double] = []
        var lineNumber = 0
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard samples.count < StepDelay.maxEmpiricalLines else {
                throw StepDelay.ParseError("empirical file \(path) holds more than \(StepDelay.maxEmpiricalLines) step times")
            }
            guard let value = Double(trimmed), value.isFinite, value >= 0, value <= StepDelay.maxMilliseconds else {
                throw StepDelay.ParseError(
                    "empirical file \(path) line \(lineNumber): '\(trimmed.prefix(40))' is not a step time in ms between 0 and \(Int(StepDelay.maxMilliseconds))")
            }
            samples.append(value)
        }
        guard !samples.isEmpty else { throw StepDelay.ParseError("empirical file \(path) holds no step times") }
        return samples
    }
}

extension StepDelay {
    /// Reads an empirical file: a regular file of at most `maxEmpiricalBytes` bytes of UTF-8 text.
    public static func readEmpiricalFile(_ path: String) throws(ParseError) -> String {
        // O_NONBLOCK: naming a FIFO must not hang workerd's start; it is refused below as not a regular file.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw ParseError("cannot read the empirical file \(path): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & 0o170000 == 0o100000 else {
            throw ParseError("the empirical file \(path) is not a regular file")
        }
        guard info.st_size <= maxEmpiricalBytes else {
            throw ParseError("the empirical file \(path) is \(info.st_size) bytes; at most \(maxEmpiricalBytes)")
        }
        let data: Data
        do {
            data = try handle.read(upToCount: maxEmpiricalBytes + 1) ?? Data()
        } catch {
            throw ParseError("cannot read the empirical file \(path): \(error.localizedDescription)")
        }
        guard data.count <= maxEmpiricalBytes else {
            throw ParseError("the empirical file \(path) is over \(maxEmpiricalBytes) bytes")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ParseError("the empirical file \(path) is not UTF-8 text")
        }
        return text
    }
}
