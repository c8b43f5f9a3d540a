import ArgumentParser

/// One configuration of `tessera-bench scale-workers` at N workers, all with the same total batch B:
/// sync b = k runs N + k workers, averages the first N gradients of each version (batch B / N each) and drops
/// the k slowest; async runs N workers with batch B / N each, every gradient applied on arrival — one round of
/// all N workers carries B samples, as one sync step does.
struct ScaleWorkersConfig {
    /// sync_b0, sync_b2, sync_b4 or async.
    var name: String
    /// Gradients averaged per update (N); nil for async.
    var aggregate: Int?
    /// Backup workers (sync).
    var backups: Int
    /// workerd processes the job runs on.
    var processes: Int
    /// Rows per worker step.
    var perWorkerBatch: Int
    /// Rows one applied update carries (sync: N × per-worker batch; async: the per-worker batch).
    var samplesPerUpdate: Int
    /// The chief evaluates every this many applied steps (about the same samples between evaluations in every configuration).
    var evalEverySteps: Int
    /// Adam learning rate of this configuration when its name gives one (`async@0.001`); nil: the common one.
    var learningRate: Double? = nil

    /// Human label, e.g. "sync 50 of 52 (b=2)", "async 50, lr 0.001".
    var label: String {
        let lr = learningRate.map { ", lr \($0)" } ?? ""
        guard let aggregate else { return "async \(processes)" + lr }
        return (backups == 0 ? "sync \(aggregate) of \(aggregate) (b=0)" : "sync \(aggregate) of \(processes) (b=\(backups))") + lr
    }

    /// The configuration `name` (optionally `name@LEARNING_RATE`) at `workers` workers with total batch `totalBatch`,
    /// evaluating about every `evalSamples` rows.
    static func make(_ spec: String, workers: Int, totalBatch: Int, evalSamples: Int) throws -> ScaleWorkersConfig {
        let parts = spec.split(separator: "@", maxSplits: 1).map(String.init)
        var config = try make(base: parts.first ?? "", workers: workers, totalBatch: totalBatch, evalSamples: evalSamples)
        if parts.count == 2 {
            guard let lr = Double(parts[1]), lr > 0, lr <= 10 else { throw ValidationError("\(spec): the learning rate after @ must be a number in (0, 10]") }
            config.learningRate = lr
            config.name = spec
        }
        return config
    }

    private static func make(base name: String, workers: Int, totalBatch: Int, evalSamples: Int) throws -> ScaleWorkersConfig {
        guard workers > 0, totalBatch % workers == 0, totalBatch / workers > 0 else {
            throw ValidationError("--total-batch \(totalBatch) must be a positive multiple of the worker count \(workers)")
        }
        let perWorker = totalBatch / workers
        if name == "async" {
            return ScaleWorkersConfig(name: name, aggregate: nil, backups: 0, processes: workers, perWorkerBatch: perWorker,
                                      samplesPerUpdate: perWorker, evalEverySteps: max(1, evalSamples / perWorker))
        }
        guard name.hasPrefix("sync_b"), let backups = Int(name.dropFirst("sync_b".count)), (0...64).contains(backups) else {
            throw ValidationError("unknown configuration \(name): use sync_bK (K backup workers, 0…64) or async")
        }
        return ScaleWorkersConfig(name: name, aggregate: workers, backups: backups, processes: workers + backups, perWorkerBatch: perWorker,
                                  samplesPerUpdate: totalBatch, evalEverySteps: max(1, evalSamples / totalBatch))
    }

    /// The job spec: the MNIST MLP 784-128-64-10 on `shards` psd shards, stopping at `stopAt` accuracy (0: never).
    func yaml(learningRate: Double, shards: Int, stopAt: Double) -> String {
        var training: [String]
        if let aggregate {
            training = ["mode: sync", "replicas_to_aggregate: \(aggregate)", "backup_workers: \(backups)"]
        } else {
            training = ["mode: async"]
        }
        training += ["epochs: 100000", "eval_every_steps: \(evalEverySteps)", "seed: 1", "checkpoint: {}"]
        if stopAt > 0 { training.append("stop_at: {metric: accuracy, value: \(stopAt)}") }
        return """
            name: scale-workers-\(processes)-\(name.replacingOccurrences(of: "@", with: "-lr"))
            model: {type: mlp, hidden: [128, 64], activation: relu}
            data:
              format: idx
              train: mnist/train-images-idx3-ubyte.gz
              train_labels: mnist/train-labels-idx1-ubyte.gz
              test: mnist/t10k-images-idx3-ubyte.gz
              test_labels: mnist/t10k-labels-idx1-ubyte.gz
              batch_size: \(perWorkerBatch)
            optimizer: {type: adam, learning_rate: \(self.learningRate ?? learningRate)}
            training:
            \(training.map { "  " + $0 }.joined(separator: "\n"))
            cluster: {workers: \(processes), ps_shards: \(shards)}
            """
    }
}
