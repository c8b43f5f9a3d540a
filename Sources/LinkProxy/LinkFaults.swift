/// What a `LinkProxy` does to the bytes it carries; changeable while connections are open.
public struct LinkFaults: Sendable, Hashable, CustomStringConvertible {
    /// Extra one-way latency added to every chunk of bytes, in both directions.
    public var delay: Duration
    /// Hold every byte (both directions) without forwarding or closing: a partition that looks alive.
    public var stall: Bool
    /// Close every open connection and every new one at once: a peer that went away.
    public var drop: Bool

    /// Creates faults; the defaults forward everything at once.
    public init(delay: Duration = .zero, stall: Bool = false, drop: Bool = false) {
        self.delay = delay
        self.stall = stall
        self.drop = drop
    }

    /// Forwards everything unchanged.
    public static let none = LinkFaults()

    /// "delay 20 ms, stall, drop" style summary.
    public var description: String {
        var parts: [String] = []
        if delay > .zero { parts.append("delay \(delay)") }
        if stall { parts.append("stall") }
        if drop { parts.append("drop") }
        return parts.isEmpty ? "pass" : parts.joined(separator: ", ")
    }

    /// Parses one control command: `pass`, `delay MS`, `stall`, `unstall`, `drop`, `undrop`, applied to `self`.
    public func applying(command line: String) -> LinkFaults? {
        let words = line.split(separator: " ").map(String.init)
        var next = self
        switch (words.first ?? "", words.count) {
        case ("pass", 1): next = .none
        case ("delay", 2):
            guard let ms = Int(words[1]), ms >= 0 else { return nil }
            next.delay = .milliseconds(ms)
        case ("stall", 1): next.stall = true
        case ("unstall", 1): next.stall = false
        case ("drop", 1): next.drop = true
        case ("undrop", 1): next.drop = false
        default: return nil
        }
        return next
    }
}
