/// One gradient of a push after validation: the part the aggregation rule sees and the floats behind it.
struct CheckedGradient {
    /// The floats: a dense gradient for `elements` of the partition, or embedding rows.
    enum Payload {
        case dense(UnsafeBufferPointer<Float>, elements: Range<Int>)
        case sparse(rowKeys: UnsafeBufferPointer<Int64>, rows: UnsafeBufferPointer<Float>)
    }

    /// The partition and rows, as `Delivery.Part`.
    var part: Delivery.Part
    /// The floats.
    var payload: Payload
    /// Payload bytes received (row keys count as two floats each).
    var bytes: UInt64
}

extension ShardJob {
    /// Validates a push without the lock (known partitions of the right kind, element counts, whole rows inside the
    /// partition with checked offset arithmetic, keys inside the vocabulary, NaN/Inf); what depends on the job's state
    /// (version, parts already delivered, parts repeated) is the aggregation rule's.
    func validate(_ request: PushRequest) throws(StoreError) -> [CheckedGradient] {
        let workerID = request.workerID
        guard !request.gradients.isEmpty else {
            throw StoreError(.invalidArgument, "Push to job \(jobID) from worker \(workerID) carries no gradients.")
        }
        var out: [CheckedGradient] = []
        out.reserveCapacity(request.gradients.count)
        for gradient in request.gradients {
            switch gradient {
            case .partition(let key, let g):
                let i = try indexOf(key)
                guard !specs[i].isSparse else {
                    throw StoreError(.invalidArgument, "\(describe(i)): an embedding partition takes sparse rows, not a dense gradient.")
                }
                guard g.count == counts[i] else {
                    throw StoreError(.invalidArgument, "\(describe(i)): gradient has \(g.count) elements, the partition \(specs[i].shape) has \(counts[i]).")
                }
                try refuseNonFinite(g, i, workerID, "gradient")
                out.append(CheckedGradient(part: .init(partition: i, rows: nil), payload: .dense(g, elements: 0..<g.count), bytes: Self.bytes(g.count)))
            case .rows(let key, let rowOffset, let g):
                let i = try denseIndexOf(key)
                let width = specs[i].rowWidth
                let rows = width > 0 ? g.count / width : 0
                // rowOffset comes from the frame: any Int64, so the end is computed with an overflow check.
                let (end, overflow) = rowOffset.addingReportingOverflow(rows)
                guard width > 0, rows * width == g.count, rowOffset >= 0, !overflow, end <= specs[i].rowCount else {
                    throw StoreError(.invalidArgument, "\(describe(i)): a chunk of \(g.count) elements at row \(rowOffset) is not whole rows of \(width) inside the partition's \(specs[i].rowCount) rows.")
                }
                try refuseNonFinite(g, i, workerID, "gradient chunk")
                let elements = (rowOffset * width)..<(end * width)
                out.append(CheckedGradient(part: .init(partition: i, rows: rowOffset..<end), payload: .dense(g, elements: elements), bytes: Self.bytes(g.count)))
            case .sparse(let key, let rowKeys, let rows):
                let i = try indexOf(key)
                try validateSparse(i, rowKeys: rowKeys, rowFloats: rows.count)
                try refuseNonFinite(rows, i, workerID, "gradient")
                let bytes = Self.bytes(rows.count) + Self.bytes(rowKeys.count) * 2
                out.append(CheckedGradient(part: .init(partition: i, rows: nil), payload: .sparse(rowKeys: rowKeys, rows: rows), bytes: bytes))
            }
        }
        return out
    }

    /// Bytes of `floats` f32 values.
    private static func bytes(_ floats: Int) -> UInt64 { UInt64(floats) * UInt64(MemoryLayout<Float>.stride) }

    private func refuseNonFinite(_ g: UnsafeBufferPointer<Float>, _ i: Int, _ workerID: UInt32, _ what: String) throws(StoreError) {
        if let base = g.baseAddress, !VectorKernels.allFinite(base, g.count) {
            throw StoreError(.nonFinite, "\(describe(i)): \(what) from worker \(workerID) contains NaN or Inf; the push was rejected.")
        }
    }

    /// Checks that partition `i` is an embedding partition and that the keys and row floats fit it.
    func validateSparse(_ i: Int, rowKeys: UnsafeBufferPointer<Int64>, rowFloats: Int?) throws(StoreError) {
        guard specs[i].isSparse else {
            throw StoreError(.invalidArgument, "\(describe(i)): a dense partition takes dense values, not sparse rows.")
        }
        if let rowFloats {
            let (expected, o) = rowKeys.count.multipliedReportingOverflow(by: specs[i].rowWidth)
            guard !o, rowFloats == expected else {
                throw StoreError(.invalidArgument, "\(describe(i)): \(rowKeys.count) row keys need \(rowKeys.count) rows of width \(specs[i].rowWidth) (\(o ? "too many" : String(expected)) floats), got \(rowFloats) floats.")
            }
        }
        for k in rowKeys {
            if let problem = SparseRows.problem(spec: specs[i], key: k) {
                throw StoreError(.notFound, "\(describe(i)): \(problem).")
            }
        }
    }

    /// The error for a refusal of the aggregation rule.
    func refusalError(_ refusal: AggregationRefusal, _ request: PushRequest?, _ gradients: [CheckedGradient]) -> StoreError {
        let worker = request.map { "worker \($0.workerID)" } ?? "a worker"
        func part(_ n: Int) -> (String, String) {
            let p = gradients[n].part
            let rows = p.rows.map { "rows \($0.lowerBound)..<\($0.upperBound)" } ?? "all rows"
            return (describe(p.partition), rows)
        }
        switch refusal {
        case .futureVersion(let current):
            return StoreError(.futureVersion, "Job \(jobID): \(worker) pushed gradients for version \(request?.version ?? 0) but the shard is at version \(current).")
        case .repeated(let n):
            let (what, rows) = part(n)
            let repeated = gradients[n].part.rows == nil ? "this partition" : "\(rows) of this partition"
            return StoreError(.invalidArgument, "\(what): the push from \(worker) carries \(repeated) twice.")
        case .outside(let n):
            let (what, rows) = part(n)
            return StoreError(.invalidArgument, "\(what): \(rows) are outside the partition.")
        case .overlapping(let n):
            let (what, rows) = part(n)
            return StoreError(.invalidArgument, "\(what): \(rows) from \(worker) overlap rows it already delivered for version \(request?.version ?? 0); a worker sends each row once per version.")
        case .fragmented(let n):
            let (what, _) = part(n)
            return StoreError(.invalidArgument, "\(what): \(worker) delivered this partition's rows in more than \(AggregationStateMachine.maxRowRanges) separate ranges; send chunks in row order.")
        case .notSync:
            return StoreError(.failedPrecondition, "Job \(jobID) is async; effective replicas only apply to sync jobs.")
        case .replicasOutOfRange(let limit, let n):
            return StoreError(.invalidArgument, "Job \(jobID): effective replicas must be in 1...\(limit) (N + backups), got \(n).")
        }
    }
}
