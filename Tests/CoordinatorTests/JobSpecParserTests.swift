import Foundation
import Testing

@testable import Coordinator

/// The example from DESIGN.md "The job spec and describe --json".
let designExample = """
    name: mnist-mlp
    model:                    # linear | logistic | softmax | mlp | cnn | wide_deep
      type: mlp
      hidden: [128, 64]
      activation: relu
    data:
      format: idx             # csv | idx | libsvm | tfrecord
      train: mnist/train-images-idx3-ubyte.gz      # paths are relative to workerd --data-root
      train_labels: mnist/train-labels-idx1-ubyte.gz
      test: mnist/t10k-images-idx3-ubyte.gz
      test_labels: mnist/t10k-labels-idx1-ubyte.gz
      batch_size: 64
    optimizer: {type: adam, learning_rate: 0.001}   # sgd momentum adagrad rmsprop adam ftrl
    training:
      mode: sync              # sync | async
      replicas_to_aggregate: 2
      backup_workers: 1       # async instead: max_staleness: 8
      epochs: 3               # or max_steps
      eval_every_steps: 500
      checkpoint: {every_steps: 1000, keep: 3}
      stop_at: {metric: accuracy, value: 0.98}
    cluster: {workers: 3, ps_shards: 2}
    """

@Suite struct JobSpecParserTests {
    @Test func parsesTheDesignExample() throws {
        let spec = try JobSpecParser.parse(yaml: designExample)
        #expect(spec.name == "mnist-mlp")
        #expect(spec.model.type == .mlp)
        #expect(spec.model.hidden == [128, 64])
        #expect(spec.model.activation == .relu)
        #expect(spec.data.format == .idx)
        #expect(spec.data.train == "mnist/train-images-idx3-ubyte.gz")
        #expect(spec.data.testLabels == "mnist/t10k-labels-idx1-ubyte.gz")
        #expect(spec.data.batchSize == 64)
        #expect(spec.optimizer.type == .adam)
        #expect(spec.optimizer.learningRate == 0.001)
        #expect(spec.training.mode == .sync)
        #expect(spec.training.replicasToAggregate == 2)
        #expect(spec.training.backupWorkers == 1)
        #expect(spec.training.epochs == 3)
        #expect(spec.training.maxSteps == nil)
        #expect(spec.training.evalEverySteps == 500)
        #expect(spec.training.checkpoint == CheckpointSpec(everySteps: 1000, everySeconds: nil, keep: 3))
        #expect(spec.training.stopAt == StopAtSpec(metric: .accuracy, value: 0.98))
        #expect(spec.cluster == ClusterSpec(workers: 3, psShards: 2))
    }

    @Test func fillsDocumentedDefaults() throws {
        let spec = try JobSpecParser.parse(yaml: """
            name: tiny
            model: {type: linear}
            data: {format: synthetic, weights: [2]}
            """)
        #expect(spec.model.hidden == [])
        #expect(spec.model.dropout == 0)
        #expect(spec.data.samples == 1000)
        #expect(spec.data.bias == 0)
        #expect(spec.data.noise == 0)
        #expect(spec.data.xMin == -1)
        #expect(spec.data.xMax == 1)
        #expect(spec.data.batchSize == 32)
        #expect(spec.data.shuffle)
        #expect(spec.data.normalize == Normalization.none)
        #expect(spec.data.testFraction == 0)
        #expect(spec.optimizer == OptimizerSpec())
        #expect(spec.optimizer.learningRate == 0.01)
        #expect(spec.training.mode == .async)
        #expect(spec.training.epochs == 1)
        #expect(spec.training.maxSteps == nil)
        #expect(spec.training.checkpoint == CheckpointSpec(everySteps: nil, everySeconds: 600, keep: 3))
        #expect(spec.training.seed == 1)
        #expect(spec.cluster.workers == 1)
        #expect(spec.cluster.psShards == nil)
    }

    @Test func syncWorkersDefaultToReplicasPlusBackups() throws {
        let spec = try JobSpecParser.parse(yaml: """
            name: s
            model: {type: softmax}
            data: {format: csv, train: a.csv, label: y}
            training: {mode: sync, replicas_to_aggregate: 3, backup_workers: 2, max_steps: 10}
            """)
        #expect(spec.cluster.workers == 5)
        #expect(spec.training.epochs == nil)
        #expect(spec.training.maxSteps == 10)
    }

    @Test func syncReplicasDefaultFromWorkers() throws {
        let spec = try JobSpecParser.parse(yaml: """
            name: s
            model: {type: softmax}
            data: {format: csv, train: a.csv, label: y}
            training: {mode: sync, backup_workers: 1}
            cluster: {workers: 4}
            """)
        #expect(spec.training.replicasToAggregate == 3)
    }

    @Test func modelDefaultsPerType() throws {
        let mlp = try JobSpecParser.parse(yaml: "name: a\nmodel: {type: mlp}\ndata: {format: csv, train: a.csv, label: y}")
        #expect(mlp.model.hidden == [128, 64])
        let cnn = try JobSpecParser.parse(yaml: "name: a\nmodel: {type: cnn}\ndata: {format: idx, train: x, train_labels: y}")
        #expect(cnn.model.cnn == CNNSpec())
        #expect(cnn.model.hidden == [128])
        let wd = try JobSpecParser.parse(yaml: "name: a\nmodel: {type: wide_deep}\ndata: {format: tfrecord, train: t.tfrecord}")
        #expect(wd.model.wideDeep == WideDeepSpec())
        #expect(wd.data.label == "label")
    }

    @Test func nullValuesMeanDefault() throws {
        let spec = try JobSpecParser.parse(yaml: """
            name: n
            model: {type: mlp, hidden: ~}
            data: {format: csv, train: a.csv, label: y, batch_size: null}
            optimizer:
            """)
        #expect(spec.model.hidden == [128, 64])
        #expect(spec.data.batchSize == 32)
    }

    static let roundTripSpecs: [String] = [
        designExample,
        "name: tiny\nmodel: {type: linear}\ndata: {format: synthetic, weights: [2, -0.5], bias: 10, noise: 0.01}",
        """
        name: "odd.name-ok"
        model: {type: cnn, hidden: [256], dropout: 0.25, classes: 10, cnn: {filters: [8, 16], kernel_size: 3, input_shape: [28, 28, 1]}}
        data: {format: idx, train: "a b.gz", train_labels: "c: d", shuffle: false}
        optimizer:
          type: ftrl
          learning_rate: 0.000001
          l1: 0.001
          l2: 1e-5
          schedule: {type: exponential_decay, decay_steps: 10, decay_rate: 0.5, staircase: true}
        training: {mode: async, max_staleness: 4, max_steps: 1000, epochs: 2, checkpoint: {every_seconds: 30.5, keep: 1}, stop_at: {metric: loss, value: 0.01}, seed: 99}
        cluster: {workers: 4, ps_shards: 3}
        """,
        """
        name: wd
        model: {type: wide_deep, hidden: [64], wide_deep: {embedding_dim: 16, categorical: [user, item], numeric: [age], vocabulary_hint: 100000}}
        data: {format: libsvm, train: x.svm, test: y.svm, features: 1000}
        training: {mode: sync, replicas_to_aggregate: 2, checkpoint: {}}
        """,
    ]

    @Test(arguments: roundTripSpecs)
    func renderingRoundTrips(yaml: String) throws {
        let spec = try JobSpecParser.parse(yaml: yaml)
        let rendered = spec.yaml
        let again = try JobSpecParser.parse(yaml: rendered)
        #expect(again == spec, "rendered:\n\(rendered)")
        #expect(again.yaml == rendered)
    }

    @Test func rendersSmallFloatsAsYAMLFloats() throws {
        let spec = try JobSpecParser.parse(yaml: "name: a\nmodel: {type: linear}\ndata: {format: synthetic, weights: [1]}")
        #expect(spec.yaml.contains("epsilon: 1.0e-08"))
    }

    @Test func jsonUsesSpecKeyNames() throws {
        let spec = try JobSpecParser.parse(yaml: designExample)
        let json = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        for key in ["\"batch_size\"", "\"train_labels\"", "\"learning_rate\"", "\"replicas_to_aggregate\"", "\"stop_at\"", "\"ps_shards\""] {
            #expect(json.contains(key), "missing \(key)")
        }
        #expect(try JSONDecoder().decode(JobSpec.self, from: Data(json.utf8)) == spec)
    }
}
