extension JobSpec {
    /// Checks every number, string and list of the spec against `JobSpecLimits` (before any rule does arithmetic
    /// with them): errors name the path, the bound and the value.
    func checkLimits() throws(SpecError) {
        try checkModelLimits()
        try checkDataLimits()
        try checkOptimizerLimits()
        try checkTrainingLimits()
        if let initFrom { try Self.checkInitFrom(initFrom) }
        if let serving { try serving.check() }
        if let stream = data.stream { try stream.check() }
    }

    private func checkModelLimits() throws(SpecError) {
        typealias L = JobSpecLimits
        try L.layers.checkCount(model.hidden.count, at: "model.hidden", of: "hidden layers")
        for (i, width) in model.hidden.enumerated() { try L.layerWidth.check(width, at: "model.hidden[\(i)]") }
        if let classes = model.classes { try L.classes.check(classes, at: "model.classes") }
        try finite(model.dropout, "model.dropout")
        if let cnn = model.cnn {
            try L.convBlocks.checkCount(cnn.filters.count, at: "model.cnn.filters", of: "convolutions")
            for (i, f) in cnn.filters.enumerated() { try L.filters.check(f, at: "model.cnn.filters[\(i)]") }
            try L.kernelSize.check(cnn.kernelSize, at: "model.cnn.kernel_size")
            try L.poolSize.check(cnn.poolSize, at: "model.cnn.pool_size")
            if let shape = cnn.inputShape {
                guard shape.count == 3 else {
                    throw .spec("model.cnn.input_shape", "expected [height, width, channels], got \(shape.count) numbers")
                }
                for (i, d) in shape.enumerated() { try L.imageDimension.check(d, at: "model.cnn.input_shape[\(i)]") }
                let values = Saturating.product(shape)
                guard values <= L.features.upper else {
                    throw .spec("model.cnn.input_shape", "\(shape) holds \(values) values per image; must be ≤ \(L.features.upper) (\(L.features.name))")
                }
            }
        }
        if let wd = model.wideDeep {
            try L.embeddingDim.check(wd.embeddingDim, at: "model.wide_deep.embedding_dim")
            try L.vocabularyHint.check(wd.vocabularyHint, at: "model.wide_deep.vocabulary_hint")
            for (key, names) in [("categorical", wd.categorical), ("numeric", wd.numeric), ("wide", wd.wide)] {
                let path = "model.wide_deep.\(key)"
                try L.columns.checkCount(names.count, at: path, of: "columns")
                for (i, name) in names.enumerated() { try Self.checkName(name, at: "\(path)[\(i)]") }
            }
        }
    }

    private func checkDataLimits() throws(SpecError) {
        typealias L = JobSpecLimits
        let paths: [(String, String?)] = [
            ("data.train", data.train), ("data.train_labels", data.trainLabels), ("data.test", data.test),
            ("data.test_labels", data.testLabels),
        ]
        for (key, path) in paths { if let path { try Self.checkDataPath(path, at: key) } }
        if let label = data.label { try Self.checkName(label, at: "data.label") }
        try finite(data.testFraction, "data.test_fraction")
        try L.batchSize.check(data.batchSize, at: "data.batch_size")
        if let features = data.features { try L.features.check(features, at: "data.features") }
        if let samples = data.samples { try L.samples.check(samples, at: "data.samples") }
        if let weights = data.weights {
            try L.weights.checkCount(weights.count, at: "data.weights", of: "weights")
            if let i = weights.firstIndex(where: { !$0.isFinite }) { throw .spec("data.weights[\(i)]", "expected a finite number, got \(weights[i])") }
            if let samples = data.samples {
                let values = Saturating.multiply(samples, weights.count)
                guard values <= L.syntheticValues.upper else {
                    throw .spec(
                        "data.samples",
                        "\(samples) samples × \(weights.count) features = \(values) values; must be ≤ \(L.syntheticValues.upper) (\(L.syntheticValues.name))")
                }
            }
        }
        for (key, value) in [("data.bias", data.bias), ("data.noise", data.noise), ("data.x_min", data.xMin), ("data.x_max", data.xMax)] {
            if let value { try magnitude(value, key) }
        }
    }

    private func checkOptimizerLimits() throws(SpecError) {
        let o = optimizer
        let rates = [
            ("optimizer.learning_rate", o.learningRate), ("optimizer.initial_accumulator", o.initialAccumulator),
            ("optimizer.l1", o.l1), ("optimizer.l2", o.l2), ("optimizer.schedule.decay_rate", o.schedule.decayRate),
        ]
        for (key, value) in rates {
            try finite(value, key)
            guard value <= JobSpecLimits.maxRate else { throw .spec(key, "must be ≤ \(JobSpecLimits.maxRate) (the rate limit), got \(value)") }
        }
        for (key, value) in [("optimizer.momentum", o.momentum), ("optimizer.beta1", o.beta1), ("optimizer.beta2", o.beta2), ("optimizer.rho", o.rho)] {
            try finite(value, key)
        }
        try finite(o.epsilon, "optimizer.epsilon")
        if o.epsilon > 0, !JobSpecLimits.epsilon.contains(o.epsilon) {
            throw .spec("optimizer.epsilon", "must be in [\(JobSpecLimits.epsilon.lowerBound), \(JobSpecLimits.epsilon.upperBound)] (the f32 range), got \(o.epsilon)")
        }
        try JobSpecLimits.scheduleSteps.check(o.schedule.decaySteps, at: "optimizer.schedule.decay_steps")
        try JobSpecLimits.scheduleSteps.check(o.schedule.warmupSteps, at: "optimizer.schedule.warmup_steps")
    }

    private func checkTrainingLimits() throws(SpecError) {
        typealias L = JobSpecLimits
        let t = training
        try L.workers.check(cluster.workers, at: "cluster.workers")
        if let shards = cluster.psShards { try L.psShards.check(shards, at: "cluster.ps_shards") }
        if t.mode == .sync {
            try L.workers.check(t.replicasToAggregate, at: "training.replicas_to_aggregate")
            try L.backupWorkers.check(t.backupWorkers, at: "training.backup_workers")
        }
        if let s = t.maxStaleness { try L.maxStaleness.check(s, at: "training.max_staleness") }
        if let epochs = t.epochs { try L.epochs.check(epochs, at: "training.epochs") }
        if let steps = t.maxSteps { try L.maxSteps.check(steps, at: "training.max_steps") }
        try L.evalEverySteps.check(t.evalEverySteps, at: "training.eval_every_steps")
        if let every = t.checkpoint.everySteps { try L.checkpointSteps.check(every, at: "training.checkpoint.every_steps") }
        if let seconds = t.checkpoint.everySeconds {
            try finite(seconds, "training.checkpoint.every_seconds")
            let range = L.checkpointSeconds
            if seconds > 0, !range.contains(seconds) {
                throw .spec(
                    "training.checkpoint.every_seconds",
                    "must be in [\(Int(range.lowerBound)), \(Int(range.upperBound))] seconds (the checkpoint-interval limit), got \(seconds)")
            }
        }
        try L.checkpointsKept.check(t.checkpoint.keep, at: "training.checkpoint.keep")
        if let stop = t.stopAt { try magnitude(stop.value, "training.stop_at.value") }
        guard t.seed <= UInt64(L.seed.upper) else {
            throw .spec("training.seed", "must be ≤ \(L.seed.upper) (\(L.seed.name)), got \(t.seed)")
        }
    }

    /// A data file path: relative to workerd's `--data-root`, no `..`, empty or NUL parts, at most 4096 bytes.
    static func checkDataPath(_ path: String, at key: String) throws(SpecError) {
        try checkPathBytes(path, at: key)
        guard !path.hasPrefix("/") else {
            throw .spec(key, "must be a path relative to workerd's --data-root, got the absolute path \"\(path)\"")
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains(where: { $0 == ".." }) {
            throw .spec(key, "must stay under workerd's --data-root: \"..\" is not allowed, got \"\(path)\"")
        }
        if parts.contains(where: \.isEmpty) {
            throw .spec(key, "has an empty path component (\"//\" or a trailing \"/\"), got \"\(path)\"")
        }
    }

    /// `init_from`: a .safetensors path (absolute or relative to the psd's import dir) without `..` or NUL, or another
    /// job of the cluster — `job-N` or a job name (letters, digits, `.`, `_`, `-`) — whose newest checkpoint it starts from.
    static func checkInitFrom(_ path: String) throws(SpecError) {
        try checkPathBytes(path, at: "init_from")
        if initFromJob(path) != nil { return }
        guard path.hasSuffix(".safetensors") else {
            throw .spec("init_from", "expected job-N, a job's name, or the path of an exported model (clusterctl export JOB --out FILE.safetensors), got \"\(path)\"")
        }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." }) {
            throw .spec("init_from", "\"..\" is not allowed (the psd reads exports only from its data dir or --import-dir), got \"\(path)\"")
        }
    }

    /// The job an `init_from` value names (`job-N` or a job name), nil when it is a file path.
    public static func initFromJob(_ value: String) -> String? {
        guard !value.hasSuffix(".safetensors"), !value.isEmpty, value.utf8.count <= 128, !value.hasPrefix(".") else { return nil }
        let allowed = value.unicodeScalars.allSatisfy { s in
            ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "-" || s == "_" || s == "."
        }
        return allowed ? value : nil
    }

    /// The job `init_from` names, nil when it names an exported file (or nothing).
    public var initFromJob: String? { initFrom.flatMap(Self.initFromJob) }

    private static func checkPathBytes(_ path: String, at key: String) throws(SpecError) {
        guard !path.isEmpty else { throw .spec(key, "must not be empty") }
        let bytes = path.utf8.count
        guard bytes <= JobSpecLimits.pathBytes.upper else {
            throw .spec(key, "must be at most \(JobSpecLimits.pathBytes.upper) bytes (\(JobSpecLimits.pathBytes.name)), got \(bytes)")
        }
        guard !path.utf8.contains(0) else { throw .spec(key, "must not contain a NUL byte") }
    }

    /// A label or column name: 1–256 UTF-8 bytes, no NUL.
    static func checkName(_ name: String, at key: String) throws(SpecError) {
        guard !name.isEmpty else { throw .spec(key, "must not be empty") }
        let bytes = name.utf8.count
        guard bytes <= JobSpecLimits.nameBytes.upper else {
            throw .spec(key, "must be at most \(JobSpecLimits.nameBytes.upper) bytes (\(JobSpecLimits.nameBytes.name)), got \(bytes)")
        }
        guard !name.utf8.contains(0) else { throw .spec(key, "must not contain a NUL byte") }
    }

    private func finite(_ value: Double, _ path: String) throws(SpecError) {
        guard value.isFinite else { throw .spec(path, "expected a finite number, got \(value)") }
    }

    private func magnitude(_ value: Double, _ path: String) throws(SpecError) {
        try finite(value, path)
        guard abs(value) <= JobSpecLimits.maxMagnitude else {
            throw .spec(path, "must be within ±\(JobSpecLimits.maxMagnitude) (the f32 range), got \(value)")
        }
    }
}
