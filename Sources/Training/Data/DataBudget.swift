import Foundation

/// The bytes one data load may hold: decoded datasets are reserved against it cumulatively before
/// they are allocated, and each transient buffer (a file's bytes, its inflated form, parsed text
/// cells) must fit in what is left. Not thread-safe: one per `DataLoader.load` call.
public final class DataBudget {
    /// The most bytes this load may use.
    public let limit: Int
    /// How the limit is set, for messages (`--max-data-bytes`).
    public let limitName: String
    /// Decoded bytes reserved so far.
    public private(set) var reserved = 0

    /// The default limit: a quarter of physical memory.
    public static var defaultLimit: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory / 4) }

    /// Creates a budget of `limit` bytes (negative counts as 0); `limitName` names the setting in errors.
    public init(limit: Int = DataBudget.defaultLimit, limitName: String = "--max-data-bytes") {
        self.limit = max(0, limit)
        self.limitName = limitName
    }

    /// Bytes not yet reserved.
    public var room: Int { limit - reserved }

    /// Reserves `count` × `bytesEach` decoded bytes for `what` (e.g. "mnist/train-images…: 60000 images × 784 pixels × 4 bytes");
    /// throws `resourceExhausted` naming the total need and the limit when they do not fit.
    public func reserve(_ count: Int, bytesEach: Int, for what: String) throws {
        let total = Self.product(count, bytesEach).flatMap { bytes -> Int? in
            let (sum, overflow) = reserved.addingReportingOverflow(bytes)
            return overflow ? nil : sum
        }
        guard let total, total <= limit else {
            throw TrainingError(.resourceExhausted, "job needs \(Self.approximately(total)) of decoded data on this worker "
                + "(\(what)); \(limitName) is \(Self.format(limit))")
        }
        reserved = total
    }

    /// Throws `resourceExhausted` unless a transient buffer of `count` × `bytesEach` bytes (a file's bytes, text cells)
    /// fits in `room`; the message has the same shape as `reserve`'s.
    public func check(_ count: Int, bytesEach: Int = 1, for what: String) throws {
        let total = Self.product(count, bytesEach).flatMap { bytes -> Int? in
            let (sum, overflow) = reserved.addingReportingOverflow(bytes)
            return overflow ? nil : sum
        }
        guard let total, total <= limit else {
            throw TrainingError(.resourceExhausted, "job needs \(Self.approximately(total)) of data on this worker "
                + "(\(what)); \(limitName) is \(Self.format(limit))")
        }
    }

    /// The error for a stream (gzip) that grew past `bytes`, the room it had.
    func exceeded(_ what: String, past bytes: Int) -> TrainingError {
        TrainingError(.resourceExhausted, "job needs more than \(Self.format(limit)) of data on this worker "
            + "(\(what) inflates past \(Self.format(bytes))); \(limitName) is \(Self.format(limit))")
    }

    /// `a × b` for non-negative factors, nil when a factor is negative or the product overflows.
    static func product(_ a: Int, _ b: Int) -> Int? {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return a >= 0 && b >= 0 && !overflow ? p : nil
    }

    /// "~3.1 GiB", or "more than 8 EiB" for a size that overflowed.
    static func approximately(_ bytes: Int?) -> String {
        bytes.map { "~" + format($0) } ?? "more than \(format(Int.max))"
    }

    /// "512 bytes", "3.1 GiB", "2 GiB".
    public static func format(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        let rounded = (value * 10).rounded() / 10
        let text = rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        return "\(text) \(units[unit])"
    }
}
