/// Durations as people write them on a command line: "90" (seconds), "30s", "10m", "1h30m", "500ms", "1.5h".
public enum DurationText {
    /// The longest duration accepted ("the wait limit"): 30 days.
    public static let maxSeconds: Double = 30 * 24 * 3600
    /// The longest text accepted.
    public static let maxCharacters = 64

    /// Seconds in `text`; throws a sentence naming the text and the limit when it is not a duration or too long.
    public static func seconds(_ text: String) throws(DurationError) -> Double {
        guard !text.isEmpty, text.count <= maxCharacters else {
            throw DurationError("'\(text.prefix(maxCharacters))' is not a duration (e.g. 30s, 10m, 1h30m)")
        }
        if let plain = Double(text) { return try checked(plain, text) }
        var total = 0.0
        var rest = Substring(text)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard let value = Double(number), value.isFinite, let scale = scales[String(unit)] else {
                throw DurationError("'\(text)' is not a duration (a number and a unit: ms, s, m or h, e.g. 30s, 10m, 1h30m)")
            }
            total += value * scale
            guard total <= maxSeconds else { break }
        }
        return try checked(total, text)
    }

    private static let scales: [String: Double] = ["ms": 0.001, "s": 1, "m": 60, "h": 3600]

    private static func checked(_ seconds: Double, _ text: String) throws(DurationError) -> Double {
        guard seconds.isFinite, seconds >= 0 else { throw DurationError("'\(text)' is not a duration ≥ 0") }
        guard seconds <= maxSeconds else { throw DurationError("'\(text)' is longer than 720h (the wait limit)") }
        return seconds
    }
}

/// A command-line duration that could not be read.
public struct DurationError: Error, Sendable, CustomStringConvertible {
    /// A sentence naming the text.
    public var description: String

    /// An error with its sentence.
    public init(_ description: String) { self.description = description }
}
