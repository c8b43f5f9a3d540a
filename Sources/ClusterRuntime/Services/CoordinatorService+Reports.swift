import ClusterAPI
import Coordinator
import GRPCCore

extension CoordinatorService {
    /// Records a worker's progress, evaluation, completion or failure; answers whether to stop.
    public func reportProgress(request: Tessera_V1_ReportProgressRequest, context: ServerContext) async throws -> Tessera_V1_ReportProgressResponse {
        try authenticate(request.nodeID, request.nodeSecret)
        let report = WorkerReport(request, job: try parseJobID(request.jobID))
        let now = Self.now()
        // A worker's last report may end the job: the shards' final counters are read first.
        let polls = machine.peek { $0.shardPolls(before: report) }
        if !polls.isEmpty { await poll(polls) }
        // Progress figures alone are written without an fsync; anything that changes a job's lifecycle is made durable.
        let outcome = try await withState(progressOnly: true) { try $0.receive(report, now: now) }
        await perform(outcome.actions)
        return .with {
            if case .stop(let reason) = outcome.directive {
                $0.stop = true
                $0.reason = reason
            }
            $0.peersFinished = outcome.peersFinished
        }
    }
}

extension WorkerReport {
    /// The report a ReportProgress request carries (its numbers are checked by the state machine).
    init(_ request: Tessera_V1_ReportProgressRequest, job: JobID) {
        self.init(
            job: job, worker: NodeID(request.nodeID), workerStep: Int(request.workerStep), samples: Int(request.samples),
            epoch: Int(request.epoch), train: request.hasTrain ? EvaluationMetrics(request.train) : nil,
            evaluation: request.hasEval ? EvaluationMetrics(request.eval) : nil, shardVersion: Int(request.shardVersion),
            staleDropped: Int(request.staleDropped), stepsPerSecond: request.stepsPerSecond, trainingDone: request.trainingDone,
            finished: request.finished, totalSteps: Int(request.totalSteps), failure: request.failure.isEmpty ? nil : request.failure,
            failureShard: request.failureShard.isEmpty ? nil : request.failureShard)
    }
}

extension EvaluationMetrics {
    /// Figures as the wire carries them (accuracy and AUC only when set).
    init(_ metrics: Tessera_V1_Metrics) {
        self.init(
            loss: metrics.loss, accuracy: metrics.hasAccuracy ? metrics.accuracy : nil, auc: metrics.hasAuc ? metrics.auc : nil,
            count: Int(metrics.count))
    }
}
