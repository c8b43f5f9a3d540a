extension ParameterShard {
    /// Applies (async) or aggregates (sync) one worker's gradients — whole dense partitions, row ranges of dense
    /// partitions, embedding rows — computed on `request.version`; the one way gradients enter a shard.
    ///
    /// Validation comes first (unknown partition or wrong kind, element counts, rows outside the partition with
    /// checked offset arithmetic, keys outside the vocabulary, NaN/Inf, a future version, a partition or rows
    /// repeated, new embedding rows beyond the memory limit); a refused push changes nothing but the counters.
    /// Sync (N of N + b): a worker counts towards N once it has delivered every partition held here for the version,
    /// possibly over several pushes; when N have, each partition's rows get the average of the gradients that arrived
    /// for them (embedding partitions: per touched row, sum / workers that delivered the partition) and the version
    /// moves by one. A gradient for an older version is `.dropped`; a push of nothing this worker had not already
    /// delivered for the version is `.duplicate`. Async: applied on arrival, the version moves by one (a chunked
    /// push's messages: once they cover every dense row held here), or `.dropped` beyond max staleness.
    public func push(_ request: PushRequest) throws(StoreError) -> PushOutcome {
        let job = try job(request.jobID)
        do throws(StoreError) {
            let outcome = try job.push(request)
            switch outcome {
            case .dropped(let staleBy):
                logger.debug("dropped stale push", metadata: ["job": "\(request.jobID)", "worker": "\(request.workerID)", "version": "\(request.version)", "stale_by": "\(staleBy)"])
            case .duplicate:
                logger.debug("dropped duplicate push", metadata: ["job": "\(request.jobID)", "worker": "\(request.workerID)", "version": "\(request.version)"])
            case .applied, .accumulated: break
            }
            return outcome
        } catch {
            logger.debug("rejected push", metadata: ["job": "\(request.jobID)", "worker": "\(request.workerID)", "error": "\(error)"])
            throw error
        }
    }

    /// Sync mode: the coordinator lowers/raises the effective N (1...N + backups) when live workers change; lowering
    /// it to at most the workers already complete applies their gradients at once.
    public func setEffectiveReplicas(jobID: UInt64, _ n: Int) throws(StoreError) {
        let (old, version) = try job(jobID).setEffectiveReplicas(n)
        if old != n {
            logger.notice("effective replicas changed", metadata: ["job": "\(jobID)", "from": "\(old)", "to": "\(n)", "version": "\(version)"])
        }
    }
}
