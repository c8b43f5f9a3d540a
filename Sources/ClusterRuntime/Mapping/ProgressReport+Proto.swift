import ClusterAPI
import WorkerCore

extension Tessera_V1_Metrics {
    /// The figures in the control plane's units.
    init(_ figures: TrainingFigures) {
        self = .with {
            $0.loss = figures.loss
            if let accuracy = figures.accuracy { $0.accuracy = accuracy }
            if let auc = figures.auc { $0.auc = auc }
            $0.count = Int64(figures.count)
        }
    }
}

extension Tessera_V1_ReportProgressRequest {
    /// The ReportProgress request carrying `report` for `job`, signed by the worker `identity`.
    init(_ report: ProgressReport, job: String, from identity: NodeIdentity) {
        self = .with {
            $0.nodeID = identity.id
            $0.nodeSecret = identity.secret
            $0.jobID = job
            $0.workerStep = report.workerStep
            $0.epoch = Int32(clamping: report.epoch)
            $0.samples = report.samples
            if let train = report.train { $0.train = Tessera_V1_Metrics(train) }
            if let eval = report.eval { $0.eval = Tessera_V1_Metrics(eval) }
            $0.shardVersion = Int64(clamping: report.version)
            $0.staleDropped = report.staleDropped
            $0.stepsPerSecond = report.stepsPerSecond
            $0.finished = report.finished
            $0.trainingDone = report.trainingDone
            $0.totalSteps = report.totalSteps
        }
    }
}

extension ProgressAnswer {
    /// The coordinator's answer to a report.
    init(_ answer: Tessera_V1_ReportProgressResponse) {
        self.init(stop: answer.stop, peersFinished: answer.peersFinished, reason: answer.reason)
    }
}
