import ClusterRuntime
import TensorWire

/// Valid (and a few hostile) request frames of every kind the data plane serves, for the fixture's jobs.
enum DataPlaneSeeds {
    static func frame(_ kind: FrameKind, job: UInt64, _ entries: [WireEntry]) -> [UInt8] {
        WireFormat.encode(WireFrame(header: FrameHeader(kind: kind, requestID: 9, jobID: job, senderID: 1), entries: entries))
    }

    static func dense(_ variable: UInt32, _ partition: UInt32, version: UInt64, _ shape: [Int]) -> WireEntry {
        let values = (0..<Shape(shape).elementCount).map { Float($0 % 7) * 0.25 - 0.5 }
        return values.withUnsafeBufferPointer { .dense(variableID: variable, partition: partition, version: version, shape: Shape(shape), floats: $0) }
    }

    static func sparse(_ variable: UInt32, version: UInt64, shape: [Int], keys: [Int64]) -> WireEntry {
        let width = Shape(shape).rowWidth
        let rows = (0..<(keys.count * width)).map { Float($0 % 5) * 0.5 - 1 }
        let header = EntryHeader.sparse(variableID: variable, partition: 0, version: version, dtype: .f32, shape: Shape(shape), rowCount: keys.count)
        return WireEntry(header: header, rowKeys: keys, payload: rows.withUnsafeBytes { Array($0) })
    }

    static func chunk(_ variable: UInt32, _ partition: UInt32, version: UInt64, rows: Int, width: Int, rowOffset: Int) -> WireEntry {
        let values = [Float](repeating: 0.5, count: rows * width)
        let header = EntryHeader.denseChunk(
            variableID: variable, partition: partition, version: version, dtype: .f32, shape: Shape([rows, width]), rowOffset: rowOffset)
        return WireEntry(header: header, payload: values.withUnsafeBytes { Array($0) })
    }

    /// A value-less sparse-rows entry of `keys` that reads existing rows only (a serving replica's pull).
    static func readKeys(_ variable: UInt32, shape: [Int], _ keys: [Int64]) -> WireEntry {
        var entry = WireEntry.sparseKeys(variableID: variable, partition: 0, version: 0, dtype: .f32, shape: Shape(shape), rowKeys: keys)
        entry.header.flags.insert(.existingRowsOnly)
        return entry
    }

    /// A push of every dense partition of `job` at `version`.
    static func densePush(job: UInt64, version: UInt64) -> [UInt8] {
        frame(.pushRequest, job: job, [dense(0, 0, version: version, [4, 3]), dense(1, 0, version: version, [3, 2]), dense(1, 1, version: version, [3, 2]), dense(2, 0, version: version, [])])
    }

    /// A pull of every dense partition of `job`, waiting for `version`.
    static func densePull(job: UInt64, version: UInt64) -> [UInt8] {
        frame(.pullRequest, job: job, [(0, 0), (1, 0), (1, 1), (2, 0)].map { WireEntry.empty(variableID: $0.0, partition: $0.1, version: version) })
    }

    /// Every seed: a name, the method it goes to, the frame.
    static func frames() -> [(String, DataPlaneMethod, [UInt8])] {
        let a = DataPlaneFixture.asyncJob, s = DataPlaneFixture.syncJob
        let emb = [0, 4], voc = [10, 2]
        return [
            ("dense-push-async", .push, densePush(job: a, version: 0)),
            ("dense-push-sync", .push, densePush(job: s, version: 0)),
            ("dense-pull", .pull, densePull(job: a, version: 0)),
            ("dense-pull-wait", .pull, densePull(job: s, version: 1)),
            ("chunk-push", .push, frame(.pushRequest, job: a, [chunk(0, 0, version: 0, rows: 2, width: 3, rowOffset: 1)])),
            ("chunk-push-sync", .push, frame(.pushRequest, job: s, [chunk(1, 1, version: 0, rows: 3, width: 2, rowOffset: 0)])),
            ("chunk-pull", .pull, frame(.pullRequest, job: a, [
                WireEntry(header: .chunkRequest(variableID: 1, partition: 1, version: 0, shape: Shape([2, 2]), rowOffset: 1)),
                WireEntry(header: .chunkRequest(variableID: 2, partition: 0, version: 0, shape: Shape([1]), rowOffset: 0)),
            ])),
            ("sparse-push", .push, frame(.pushRequest, job: a, [sparse(3, version: 0, shape: emb, keys: [1, 7, 1]), sparse(4, version: 0, shape: voc, keys: [0, 9])])),
            ("sparse-push-sync", .push, frame(.pushRequest, job: s, [sparse(3, version: 0, shape: emb, keys: [5, -2])])),
            ("sparse-pull", .pull, frame(.pullRequest, job: a, [
                .sparseKeys(variableID: 3, partition: 0, version: 0, dtype: .f32, shape: Shape(emb), rowKeys: [3, -5, 1_000_000_007]),
                .sparseKeys(variableID: 4, partition: 0, version: 0, dtype: .f32, shape: Shape(voc), rowKeys: [2]),
            ])),
            // A serving replica's read of existing rows only (EntryFlags.existingRowsOnly): creates no row.
            ("sparse-read", .pull, frame(.pullRequest, job: a, [
                readKeys(3, shape: emb, [3, -5, 1_000_000_007]), readKeys(4, shape: voc, [2, 9]),
            ])),
            ("mixed-push", .push, frame(.pushRequest, job: a, [dense(0, 0, version: 0, [4, 3]), sparse(3, version: 0, shape: emb, keys: [11])])),
            ("issue-row-offset", .push, frame(.pushRequest, job: a, [chunk(0, 0, version: 0, rows: 2, width: 3, rowOffset: Int(Int64.max) - 1)])),
            ("pushpull-async", .push, frame(.pushPullRequest, job: a, [dense(0, 0, version: 0, [4, 3]), dense(1, 0, version: 0, [3, 2])])),
            ("pushpull-sync", .push, frame(.pushPullRequest, job: s, [dense(1, 1, version: 0, [3, 2]), dense(2, 0, version: 0, [])])),
            ("pushpull-chunk", .push, frame(.pushPullRequest, job: a, [chunk(0, 0, version: 0, rows: 2, width: 3, rowOffset: 1)])),
            ("repeated-pull", .pull, frame(.pullRequest, job: a, Array(repeating: .empty(variableID: 0, partition: 0, version: 0), count: 8))),
        ]
    }
}
