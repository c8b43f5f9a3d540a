import Synchronization
import TensorWire
import Training

/// A bounded cache in front of an `EmbeddingRowSource`: a row read for one request answers the next ones that ask for
/// the same key until it is `lifetime` old (the replica's `refresh_ms`, the staleness its dense parameters already
/// have), so hot ids (Zipf) cost no round trip per request. Rows are kept in arrival order and the oldest dropped
/// first once they would take more than `maxBytes`; a request whose rows all fit is answered from one lock hold for
/// the hits and one pull of the misses.
public final class RowCache: EmbeddingRowSource {
    /// Where misses are read.
    public let source: any EmbeddingRowSource
    /// How long a cached row answers.
    public let lifetime: Duration
    /// Most bytes of rows (and their bookkeeping) held.
    public let maxBytes: Int

    /// The default `maxBytes`: 64 MiB, a million 16-float rows.
    public static let defaultMaxBytes = 64 << 20
    /// Bytes counted per row beyond its floats (key, time, dictionary and queue slots).
    static let entryOverhead = 64

    private struct Key: Hashable {
        var table: Int
        var row: Int64
    }

    private struct State {
        var rows: [Key: (values: [Float], stored: ContinuousClock.Instant)] = [:]
        /// Arrival order; an entry whose time differs from the row's was replaced later and is skipped.
        var order: [(key: Key, stored: ContinuousClock.Instant)] = []
        var head = 0
        var bytes = 0
        var hits = 0
        var misses = 0
    }

    private let state = Mutex(State())
    private let clock = ContinuousClock()

    /// A cache of `source`'s rows, each answering for `lifetime`, at most `maxBytes` held.
    public init(source: any EmbeddingRowSource, lifetime: Duration, maxBytes: Int = RowCache.defaultMaxBytes) {
        self.source = source
        self.lifetime = lifetime
        self.maxBytes = max(maxBytes, 0)
    }

    /// Rows answered from the cache and rows read from the source so far.
    public var counts: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }

    /// Starts `counts` from zero again (the rows stay).
    public func resetCounts() { state.withLock { $0.hits = 0; $0.misses = 0 } }

    /// The rows of `keys`: fresh cached ones copied, the others read from the source in one call and cached.
    public func rows(for keys: [[Int64]], of tables: [SparseTable]) async throws -> [Tensor] {
        let out = zip(tables, keys).map { Tensor(zeros: Shape([$1.count, $0.rowWidth])) }
        let asked = clock.now
        // Per table, the positions (into keys[t]) the cache could not answer.
        let missing: [[Int]] = state.withLock { s in
            var missing = Array(repeating: [Int](), count: keys.count)
            for t in keys.indices {
                let width = tables[t].rowWidth
                for (j, key) in keys[t].enumerated() {
                    if let hit = s.rows[Key(table: t, row: key)], hit.stored.duration(to: asked) < lifetime, hit.values.count == width {
                        hit.values.withUnsafeBufferPointer { (out[t].baseAddress + j * width).update(from: $0.baseAddress!, count: width) }
                        s.hits += 1
                    } else {
                        missing[t].append(j)
                    }
                }
            }
            s.misses += missing.reduce(0) { $0 + $1.count }
            return missing
        }
        guard missing.contains(where: { !$0.isEmpty }) else { return out }
        let pulled = try await source.rows(for: zip(keys, missing).map { keys, positions in positions.map { keys[$0] } }, of: tables)
        state.withLock { s in
            for t in missing.indices {
                let width = tables[t].rowWidth
                for (i, j) in missing[t].enumerated() {
                    let values = UnsafeBufferPointer(start: pulled[t].baseAddress + i * width, count: width)
                    (out[t].baseAddress + j * width).update(from: values.baseAddress!, count: width)
                    // Stamped with the time of asking: the row is at least that fresh.
                    insert(&s, Key(table: t, row: keys[t][j]), Array(values), stored: asked)
                }
            }
        }
        return out
    }

    private func insert(_ s: inout State, _ key: Key, _ values: [Float], stored: ContinuousClock.Instant) {
        let cost = values.count * MemoryLayout<Float>.stride + Self.entryOverhead
        guard cost <= maxBytes else { return }
        if let old = s.rows.updateValue((values, stored), forKey: key) {
            s.bytes -= old.values.count * MemoryLayout<Float>.stride + Self.entryOverhead
        }
        s.bytes += cost
        s.order.append((key, stored))
        while s.bytes > maxBytes, s.head < s.order.count {
            let oldest = s.order[s.head]
            s.head += 1
            if let held = s.rows[oldest.key], held.stored == oldest.stored {
                s.rows[oldest.key] = nil
                s.bytes -= held.values.count * MemoryLayout<Float>.stride + Self.entryOverhead
            }
        }
        // The queue also holds the entries of replaced rows: it is rebuilt of the live ones once it is more than twice
        // as long as the rows held, so its length stays bounded by them.
        if s.head > 1024, s.head * 2 > s.order.count {
            s.order.removeFirst(s.head)
            s.head = 0
        }
        if s.order.count - s.head > 2 * s.rows.count + 1024 {
            let rows = s.rows
            s.order = s.order[s.head...].filter { rows[$0.key]?.stored == $0.stored }
            s.head = 0
        }
    }
}
