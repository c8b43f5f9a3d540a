/// The job spec every cluster benchmark trains: the MNIST MLP 784-128-64-10 (ReLU) on the IDX
/// files under the workers' data root, one psd shard.
enum MNISTJobSpec {
    /// YAML of the job; `training` holds the lines under `training:` (two-space indented, no
    /// leading indentation of its own), `optimizer` the inline optimizer mapping.
    static func yaml(name: String, batch: Int = 64, optimizer: String = "{type: adam, learning_rate: 0.001}",
                     training: [String], workers: Int) -> String {
        """
        name: \(name)
        model: {type: mlp, hidden: [128, 64], activation: relu}
        data:
          format: idx
          train: mnist/train-images-idx3-ubyte.gz
          train_labels: mnist/train-labels-idx1-ubyte.gz
          test: mnist/t10k-images-idx3-ubyte.gz
          test_labels: mnist/t10k-labels-idx1-ubyte.gz
          batch_size: \(batch)
        optimizer: \(optimizer)
        training:
        \(training.map { "  " + $0 }.joined(separator: "\n"))
        cluster: {workers: \(workers), ps_shards: 1}
        """
    }
}
