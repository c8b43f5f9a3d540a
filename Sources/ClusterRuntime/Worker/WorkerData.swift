import ClusterAPI
import Coordinator
import Training

/// The worker's view of a job's data: its shard of the training split, the held-out split, and evaluation.
struct WorkerData {
    var featureCount: Int
    var classes: Int
    var batchesPerEpoch: Int

    static func load(spec: JobSpec, dataRoot: String, workerIndex: Int, workerCount: Int) throws -> WorkerData {
        throw RuntimeFailure(.unimplemented, "data loading is not wired yet")
    }

    func trainBatches(epoch: Int) -> AnyBatchSequence { AnyBatchSequence() }

    func evaluate(model: any Model, parameters: ParameterSet, backend: any ComputeBackend) throws -> EvaluationSummary {
        EvaluationSummary(loss: 0, accuracy: 0, auc: nil, count: 0)
    }
}

struct AnyBatchSequence {
    mutating func next() throws -> Batch? { nil }
}

struct EvaluationSummary {
    var loss: Double
    var accuracy: Double
    var auc: Double?
    var count: Int

    var proto: Tessera_V1_Metrics {
        .with {
            $0.loss = loss
            $0.accuracy = accuracy
            if let auc { $0.auc = auc }
            $0.count = Int64(count)
        }
    }
}
