import TensorWire

/// Raw row memory shared with the per-shard tasks of one sparse call; each task touches disjoint rows.
private struct RowMemory: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>?
}

extension ParameterClient {
    /// Where each embedding partition of a variable lives: (link index, route), indexed by partition.
    func sparsePartitions(_ variableID: UInt32) throws -> [(link: Int, route: PartitionRoute)] {
        var found: [(link: Int, route: PartitionRoute)] = []
        for (l, link) in links.enumerated() {
            for r in link.sparseRoutes where r.variableID == variableID { found.append((l, r)) }
        }
        found.sort { $0.route.partition < $1.route.partition }
        guard !found.isEmpty, found.enumerated().allSatisfy({ $0.offset == Int($0.element.route.partition) }) else {
            throw RuntimeFailure(.invalidArgument, "job \(jobID): variable \(variableID) is not an embedding routed to this worker (partitions 0..<n expected)")
        }
        return found
    }

    /// Positions of `keys` grouped by the partition owning each key (`RowKeyPartitioner`, as the coordinator places them).
    static func group(_ keys: [Int64], partitions: Int) -> [[Int]] {
        var groups = Array(repeating: [Int](), count: partitions)
        for (i, k) in keys.enumerated() { groups[RowKeyPartitioner.shardIndex(forRowKey: k, shardCount: partitions)].append(i) }
        return groups
    }

    /// Pulls the embedding rows of `keys` (any order, repeats allowed) of variable `variableID` into `rows`
    /// (`keys.count × width` floats, row i for key i), asking the shards that own them in parallel; a shard
    /// first waits (sync mode) until it is at least at `minimumVersions[link]`. Returns the versions per shard
    /// link (shards not asked keep the version they last reported).
    @discardableResult
    public func pullSparse(
        variableID: UInt32, keys: [Int64], into rows: UnsafeMutableBufferPointer<Float>, minimumVersions: [UInt64]? = nil
    ) async throws -> [UInt64] {
        let parts = try sparsePartitions(variableID)
        let width = parts[0].route.shape.rowWidth
        guard rows.count == keys.count * width else {
            throw RuntimeFailure(.invalidArgument, "pullSparse of variable \(variableID): \(keys.count) keys of width \(width) need \(keys.count * width) floats, the buffer holds \(rows.count)")
        }
        let groups = Self.group(keys, partitions: parts.count)
        let memory = RowMemory(base: rows.baseAddress)
        let requestID = UInt64.random(in: 1...UInt64.max)
        let result = try await withThrowingTaskGroup(of: (Int, UInt64).self) { group in
            for (p, positions) in groups.enumerated() where !positions.isEmpty {
                let (l, route) = parts[p]
                let minimum = minimumVersions?[l] ?? 0
                let partKeys = positions.map { keys[$0] }
                group.addTask {
                    let version = try await self.pullRows(
                        link: self.links[l], route: route, keys: partKeys, positions: positions, minimum: minimum,
                        requestID: requestID, width: width, into: memory)
                    return (l, version)
                }
            }
            var pulled = versions.value
            for try await (l, v) in group { pulled[l] = v }
            return pulled
        }
        versions.value = result
        return result
    }

    private func pullRows(
        link: ShardLink, route: PartitionRoute, keys: [Int64], positions: [Int], minimum: UInt64, requestID: UInt64, width: Int,
        into memory: RowMemory
    ) async throws -> UInt64 {
        let header = FrameHeader(kind: .pullRequest, requestID: requestID, jobID: jobID, senderID: workerID)
        let entry = WireEntry.sparseKeys(
            variableID: route.variableID, partition: route.partition, version: minimum, dtype: .f32, shape: route.shape, rowKeys: keys)
        let request = WireFormat.encode(WireFrame(header: header, entries: [entry]))
        let response = try await link.channel.exchange(.pull, request: request, timeout: timeout)
        return try response.withUnsafeBytes { raw in
            let view: FrameView
            do { view = try WireFormat.decodeView(raw) } catch {
                throw RuntimeFailure(.internalError, "shard \(link.address) sent a malformed sparse pull response: \(error)")
            }
            guard view.entries.count == 1, let e = view.entries.first, e.header.encoding == .sparseRows, e.header.dtype == .f32,
                e.header.rowCount == keys.count, e.header.payloadLength == keys.count * width * 4
            else {
                throw RuntimeFailure(.internalError, "shard \(link.address) answered a sparse pull of \(keys.count) rows of variable \(route.variableID) with something else")
            }
            let payload = e.payload(in: raw)
            if let out = memory.base, let src = payload.baseAddress, width > 0 {
                let rowBytes = width * 4
                for (i, position) in positions.enumerated() {
                    UnsafeMutableRawPointer(out + position * width).copyMemory(from: src + i * rowBytes, byteCount: rowBytes)
                }
            }
            return e.header.version
        }
    }

    /// Pushes row gradients (`rows`: `keys.count × width` floats, row i for key i; repeated keys are summed by the
    /// shard) of embedding variable `variableID`, each shard's part tagged with `versions[link]`. Every shard holding a
    /// partition of the variable gets an entry, empty when none of the keys are its own, so sync mode counts the
    /// worker as having delivered that partition.
    public func pushSparse(variableID: UInt32, keys: [Int64], rows: UnsafeBufferPointer<Float>, versions pulled: [UInt64]) async throws -> PushSummary {
        let parts = try sparsePartitions(variableID)
        let width = parts[0].route.shape.rowWidth
        guard rows.count == keys.count * width else {
            throw RuntimeFailure(.invalidArgument, "pushSparse of variable \(variableID): \(keys.count) keys of width \(width) need \(keys.count * width) floats, got \(rows.count)")
        }
        let groups = Self.group(keys, partitions: parts.count)
        let memory = RowMemory(base: UnsafeMutablePointer(mutating: rows.baseAddress))
        let requestID = UInt64.random(in: 1...UInt64.max)
        return try await withThrowingTaskGroup(of: (accepted: Bool, version: UInt64).self) { group in
            for (p, positions) in groups.enumerated() {
                let (l, route) = parts[p]
                let version = pulled[l]
                let partKeys = positions.map { keys[$0] }
                group.addTask {
                    try await self.pushRows(
                        link: self.links[l], route: route, keys: partKeys, positions: positions, version: version,
                        requestID: requestID, width: width, from: memory)
                }
            }
            var summary = PushSummary(accepted: 0, stale: 0, maxVersion: 0)
            for try await outcome in group {
                if outcome.accepted { summary.accepted += 1 } else { summary.stale += 1 }
                summary.maxVersion = max(summary.maxVersion, outcome.version)
            }
            return summary
        }
    }

    private func pushRows(
        link: ShardLink, route: PartitionRoute, keys: [Int64], positions: [Int], version: UInt64, requestID: UInt64, width: Int,
        from memory: RowMemory
    ) async throws -> (accepted: Bool, version: UInt64) {
        let header = FrameHeader(kind: .pushRequest, requestID: requestID, jobID: jobID, senderID: workerID)
        let entry = EntryHeader.sparse(
            variableID: route.variableID, partition: route.partition, version: version, dtype: .f32, shape: route.shape, rowCount: keys.count)
        let size = WireFormat.encodedSize(header: header, entries: [entry])
        let request = try [UInt8](unsafeUninitializedCapacity: size) { out, count in
            count = try WireFormat.encode(header: header, entries: [entry], into: UnsafeMutableRawBufferPointer(out)) { _, destination in
                _ = keys.withUnsafeBufferPointer { destination.rowKeys.initialize(fromContentsOf: $0) }
                guard let src = memory.base, let dst = destination.payload.baseAddress, width > 0 else { return }
                let rowBytes = width * 4
                for (i, position) in positions.enumerated() {
                    (dst + i * rowBytes).copyMemory(from: src + position * width, byteCount: rowBytes)
                }
            }
        }
        let response = try await link.channel.exchange(.push, request: request, timeout: timeout)
        return try response.withUnsafeBytes { raw in
            let view: FrameView
            do { view = try WireFormat.decodeView(raw) } catch {
                throw RuntimeFailure(.internalError, "shard \(link.address) sent a malformed push response: \(error)")
            }
            return (view.header.status == PushStatus.ok, view.entries.first?.header.version ?? version)
        }
    }
}
