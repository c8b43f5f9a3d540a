import ClusterAPI
import ClusterRuntime

extension JobSummary {
    /// The summary of a job as the coordinator answered it.
    public init(_ job: Tessera_V1_Job) {
        var shardBytes: [String: Int64] = [:]
        for p in job.placement { shardBytes[p.shardName] = Self.sum(shardBytes[p.shardName, default: 0], p.bytes) }
        self.init(
            id: job.id, name: job.name, state: job.state.displayName, reason: job.reason,
            step: job.step, totalSteps: job.totalSteps, samples: job.samples, stepsPerSecond: job.stepsPerSecond,
            metrics: JobPresentation.latestMetrics(job).map(MetricsSummary.init) ?? .none,
            trainMetrics: job.hasTrainMetrics ? MetricsSummary(job.trainMetrics) : nil,
            evalMetrics: job.hasEvalMetrics ? MetricsSummary(job.evalMetrics) : nil,
            staleDropped: job.staleDropped, effectiveReplicas: job.effectiveReplicas,
            placement: job.placement.map(PlacementSummary.init), bytesPerShard: shardBytes,
            workers: job.workers.map(WorkerSummary.init),
            tensorboardDir: job.tensorboardDir.isEmpty ? nil : job.tensorboardDir,
            checkpoint: job.hasCheckpoint ? CheckpointRefSummary(version: job.checkpoint.version, manifest: job.checkpoint.manifest) : nil,
            createdAt: job.createdAt,
            startedAt: job.startedAt > 0 ? job.startedAt : nil,
            finishedAt: job.finishedAt > 0 ? job.finishedAt : nil,
            history: job.history.map(MetricPointSummary.init), serving: ServingSummary(job))
        if !job.studyID.isEmpty {
            study = job.studyID
            trial = job.trial
        }
    }

    /// `a + b`, held at the bounds of Int64 instead of trapping (figures from the coordinator are outside input).
    static func sum(_ a: Int64, _ b: Int64) -> Int64 {
        let (total, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : total
    }
}

extension PlacementSummary {
    /// The summary of one placed partition; `rows` is [offset, offset + count].
    public init(_ p: Tessera_V1_PartitionPlacement) {
        self.init(
            variable: p.variable, kind: p.kind.isEmpty ? "dense" : p.kind, partition: p.partition, shard: p.shardName,
            shardAddress: p.shardAddress, bytes: p.bytes, shape: p.shape, rows: [p.rowOffset, JobSummary.sum(p.rowOffset, p.rowCount)])
    }
}

extension WorkerSummary {
    /// The summary of one worker's task.
    public init(_ w: Tessera_V1_WorkerTask) {
        self.init(index: w.index, node: w.nodeName, step: w.step, epoch: w.epoch, finished: w.finished)
    }
}

extension MetricPointSummary {
    /// The summary of one history point.
    public init(_ point: Tessera_V1_MetricPoint) {
        self.init(step: point.step, time: point.time, kind: point.kind, metrics: MetricsSummary(point.metrics))
    }
}
