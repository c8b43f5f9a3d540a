import Foundation

/// Runs a `BatchIterator` on a background thread, keeping up to `depth` batches ready so the
/// next batch is assembled while the current one computes. Dropping the iterator stops the thread.
public final class PrefetchingBatchIterator: IteratorProtocol, Sequence {
    private let queue: BatchQueue

    /// Starts producing batches from `source` on a new thread (depth is clamped to 1…8).
    public init(_ source: BatchIterator, depth: Int = 2) {
        let queue = BatchQueue(capacity: Swift.min(Swift.max(depth, 1), 8))
        self.queue = queue
        let thread = Thread {
            var iterator = source
            while let batch = iterator.next() {
                if !queue.put(batch) { break }
            }
            queue.finish()
        }
        thread.name = "tessera-prefetch"
        thread.start()
    }

    deinit { queue.cancel() }

    /// The next batch, waiting for the producer if needed; nil at the end of the epoch.
    public func next() -> Batch? { queue.take() }
}

/// A bounded single-producer, single-consumer queue of batches guarded by a condition variable.
final class BatchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var items: [Batch] = []
    private var finished = false
    private var cancelled = false

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room, then enqueues; false when the consumer has gone away.
    func put(_ batch: Batch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(batch)
        condition.broadcast()
        return true
    }

    /// Marks the end of the stream.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for a batch; nil once the stream has finished and drained.
    func take() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !finished { condition.wait() }
        if items.isEmpty { return nil }
        let batch = items.removeFirst()
        condition.broadcast()
        return batch
    }

    /// Tells the producer to stop.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}
