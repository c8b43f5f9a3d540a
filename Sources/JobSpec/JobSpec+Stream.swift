/// `data.stream`: train on files as they appear in a directory instead of on one fixed file (online learning).
/// Files are taken in name order, each exactly once across the job's workers; a file must be complete when its name
/// appears (write it under a name starting with "." or outside the pattern, then rename it: rename is atomic).
public struct StreamSpec: Sendable, Hashable, Codable {
    /// The directory watched, relative to workerd's `--data-root`.
    public var dir: String
    /// Shell pattern of the file names trained (`*`, `?`, `[…]`); names starting with "." are never taken.
    public var pattern: String
    /// Milliseconds between two looks at the directory while a worker waits for data.
    public var pollMs: Int
    /// Newest held-out rows evaluated (the sliding window; the newest trained rows when nothing is held out).
    public var evalWindow: Int

    /// The pattern when the section names none: every file.
    public static let defaultPattern = "*"
    /// The poll interval when the section names none.
    public static let defaultPollMs = 1000
    /// The evaluation window when the section names none.
    public static let defaultEvalWindow = 1000

    /// A stream section.
    public init(dir: String, pattern: String = defaultPattern, pollMs: Int = defaultPollMs, evalWindow: Int = defaultEvalWindow) {
        self.dir = dir
        self.pattern = pattern
        self.pollMs = pollMs
        self.evalWindow = evalWindow
    }

    enum CodingKeys: String, CodingKey {
        case dir, pattern
        case pollMs = "poll_ms"
        case evalWindow = "eval_window"
    }

    /// The formats a stream can carry: one file holds whole examples (idx keeps images and labels apart).
    public static let formats: [DataFormat] = [.csv, .libsvm, .tfrecord]

    /// Checks the strings and numbers against `JobSpecLimits` (errors name `data.stream.…`).
    public func check() throws(SpecError) {
        try JobSpecLimits.pathBytes.check(dir.utf8.count, at: "data.stream.dir")
        try JobSpecLimits.streamPatternBytes.check(pattern.utf8.count, at: "data.stream.pattern")
        guard !pattern.contains("/") else {
            throw .spec("data.stream.pattern", "matches file names inside data.stream.dir, so it cannot contain \"/\", got \"\(pattern.prefix(64))\"")
        }
        guard !pattern.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw .spec("data.stream.pattern", "must not contain control characters")
        }
        try JobSpecLimits.streamPollMilliseconds.check(pollMs, at: "data.stream.poll_ms")
        try JobSpecLimits.streamEvalWindow.check(evalWindow, at: "data.stream.eval_window")
    }
}
