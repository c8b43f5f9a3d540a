import TensorWire

extension ParameterClient {
    /// Whether every shard's dense partitions fit one push-and-pull message each: none above the chunk limit and each
    /// shard's answer within `maxUnchunkedPullBytes`. Otherwise `pushAndPull` pushes and pulls apart.
    var fitsPushAndPull: Bool {
        links.allSatisfy { link in
            var bytes = 0
            for route in link.routes {
                let (partition, overflow) = route.elementCount.multipliedReportingOverflow(by: 4)
                guard !overflow, partition <= chunkLimitBytes else { return false }
                bytes += partition
                guard bytes <= Self.maxUnchunkedPullBytes else { return false }
            }
            return true
        }
    }

    /// Pushes one step's dense gradients (tagged with `versions[shard]`) and pulls every dense partition into
    /// `parameters`, in one round trip per shard where the partitions fit one message (`FrameKind.pushPullRequest`: the
    /// shard answers the values after applying this push), else (chunked partitions) as a push beside a pull. For async
    /// jobs: the values are whatever version the shard holds, with no minimum to wait for. Returns how the shards took
    /// the gradients and the versions pulled.
    public func pushAndPull(
        _ gradients: VariableBuffers, versions pushed: [UInt64], into parameters: VariableBuffers
    ) async throws -> (summary: PushSummary, versions: [UInt64]) {
        guard fitsPushAndPull else {
            // Chunked partitions: the push beside the pull, each direction's chunks crossing at once (the values may
            // miss this push); one after the other would double a large model's exchange time.
            async let pushing = push(StepGradients(dense: gradients), versions: pushed)
            let pulled = try await pull(into: parameters)
            return (try await pushing, pulled)
        }
        let requestID = UInt64.random(in: 1...UInt64.max)
        let dense = links.indices.filter { !links[$0].routes.isEmpty }
        if dense.count == 1, let index = dense.first {
            // One shard: no child task to start and join for it.
            let (verdict, version) = try await pushAndPull(links[index], version: pushed[index], requestID: requestID, gradients: gradients, into: parameters)
            var summary = PushSummary()
            summary.add(verdict, version: version)
            let result = versions.withLock { all in
                all[index] = version
                return all
            }
            return (summary, result)
        }
        let (summary, result) = try await withThrowingTaskGroup(of: (Int, PushVerdict, UInt64).self) { group in
            for (index, link) in links.enumerated() where !link.routes.isEmpty {
                let version = pushed[index]
                group.addTask(executorPreference: globalConcurrentExecutor) {
                    let (verdict, pulled) = try await self.pushAndPull(link, version: version, requestID: requestID, gradients: gradients, into: parameters)
                    return (index, verdict, pulled)
                }
            }
            var summary = PushSummary()
            var pulled = versions.value
            for try await (index, verdict, version) in group {
                summary.add(verdict, version: version)
                pulled[index] = version
            }
            return (summary, pulled)
        }
        versions.value = result
        return (summary, result)
    }

    /// One shard's push-and-pull; a shard whose max_answer_bytes is below the answer refuses it with nothing applied,
    /// and gets a plain push and a (chunked) pull instead.
    private func pushAndPull(
        _ link: ShardLink, version: UInt64, requestID: UInt64, gradients: VariableBuffers, into parameters: VariableBuffers
    ) async throws -> (verdict: PushVerdict, version: UInt64) {
        do {
            return try await pushAndPullWhole(link, version: version, requestID: requestID, gradients: gradients, into: parameters)
        } catch let failure as RuntimeFailure where failure.code == .resourceExhausted && failure.message.contains(DataPlaneHandler.answerLimitMarker) {
            let pushed = try await pushDense(link, version: version, requestID: requestID, gradients: gradients)
            return (pushed.verdict, try await pull(link, minimum: 0, requestID: requestID, into: parameters))
        }
    }

    /// The gradients go out encoded straight from `gradients`; the answer's values are copied (and checksummed in the
    /// same pass) straight into `parameters`.
    private func pushAndPullWhole(
        _ link: ShardLink, version: UInt64, requestID: UInt64, gradients: VariableBuffers, into parameters: VariableBuffers
    ) async throws -> (verdict: PushVerdict, version: UInt64) {
        let header = FrameHeader(kind: .pushPullRequest, requestID: requestID, jobID: jobID, senderID: workerID)
        let routes = link.routes
        let entries = routes.map {
            EntryHeader.dense(variableID: $0.variableID, partition: $0.partition, version: version, dtype: .f32, shape: $0.shape)
        }
        let size = WireFormat.encodedSize(header: header, entries: entries)
        return try await link.channel.exchange(.push, requestBytes: size, encode: { out in
            try WireFormat.encode(header: header, entries: entries, into: out) { index, destination in
                destination.copyPayload(from: UnsafeRawBufferPointer(gradients.slice(routes[index])))
            }
        }, timeout: timeout) { raw in
            let view: FrameView
            do { view = try WireFormat.decodeView(raw, checkingPayloads: false) } catch {
                throw RuntimeFailure(.internalError, "shard \(link.address) sent a malformed push-and-pull response: \(error)")
            }
            guard view.header.kind == .pushPullResponse, view.entries.count == routes.count else {
                throw RuntimeFailure(
                    .internalError,
                    "shard \(link.address) answered a push-and-pull of \(routes.count) partitions with a \(view.header.kind) frame of \(view.entries.count) entries")
            }
            var pulled: UInt64 = 0
            for (entry, route) in zip(view.entries, routes) {
                let h = entry.header
                guard h.variableID == route.variableID, h.partition == route.partition, h.dtype == .f32, h.payloadLength == route.elementCount * 4 else {
                    throw RuntimeFailure(
                        .internalError,
                        "shard \(link.address) answered variable \(h.variableID)/\(h.partition) with \(h.payloadLength) bytes; expected variable \(route.variableID)/\(route.partition) with \(route.elementCount * 4)")
                }
                do { try entry.copyPayloadChecked(in: raw, to: UnsafeMutableRawBufferPointer(parameters.slice(route))) } catch {
                    throw RuntimeFailure(.internalError, "shard \(link.address) sent a malformed push-and-pull response: \(error)")
                }
                pulled = h.version
            }
            return (PushVerdict(view.header), pulled)
        }
    }
}
