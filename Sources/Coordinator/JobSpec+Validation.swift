extension JobSpec {
    /// Checks every semantic rule of the spec (documented in docs/job-spec.md); errors carry the field's path.
    public func validate() throws(SpecError) {
        try validateName()
        try validateModel()
        try validateData()
        try validateOptimizer()
        try validateTraining()
    }

    private func validateName() throws(SpecError) {
        guard !name.isEmpty else { throw .spec("name", "must not be empty") }
        guard name.count <= 128 else { throw .spec("name", "must be at most 128 characters, got \(name.count)") }
        let allowed = name.unicodeScalars.allSatisfy { s in
            ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "-" || s == "_" || s == "."
        }
        guard allowed, !name.hasPrefix(".") else {
            throw .spec("name", "use letters, digits, '.', '_' and '-' only (not starting with '.'), got \"\(name)\"")
        }
    }

    private func validateModel() throws(SpecError) {
        for (i, width) in model.hidden.enumerated() {
            try positive(width, "model.hidden[\(i)]")
        }
        if model.type == .mlp, model.hidden.isEmpty {
            throw .spec("model.hidden", "an mlp needs at least one hidden layer")
        }
        try fraction(model.dropout, "model.dropout")
        if let classes = model.classes, classes < 2 { throw .spec("model.classes", "must be ≥ 2, got \(classes)") }
        if let cnn = model.cnn {
            guard !cnn.filters.isEmpty else { throw .spec("model.cnn.filters", "needs at least one convolution") }
            for (i, f) in cnn.filters.enumerated() { try positive(f, "model.cnn.filters[\(i)]") }
            try positive(cnn.kernelSize, "model.cnn.kernel_size")
            try positive(cnn.poolSize, "model.cnn.pool_size")
            if let shape = cnn.inputShape {
                guard shape.count == 3 else {
                    throw .spec("model.cnn.input_shape", "expected [height, width, channels], got \(shape.count) numbers")
                }
                for (i, d) in shape.enumerated() { try positive(d, "model.cnn.input_shape[\(i)]") }
            } else if data.format != .idx {
                throw .spec("model.cnn.input_shape", "required unless data.format is idx")
            }
        }
        if let wd = model.wideDeep {
            try positive(wd.embeddingDim, "model.wide_deep.embedding_dim")
            guard wd.vocabularyHint >= 0 else {
                throw .spec("model.wide_deep.vocabulary_hint", "must be ≥ 0, got \(wd.vocabularyHint)")
            }
        }
    }

    private func validateData() throws(SpecError) {
        switch data.format {
        case .synthetic:
            guard let weights = data.weights, !weights.isEmpty else {
                throw .spec("data.weights", "needs at least one weight (one per feature)")
            }
            try positive(data.samples ?? 0, "data.samples")
            if let noise = data.noise, noise < 0 { throw .spec("data.noise", "must be ≥ 0, got \(noise)") }
            let lo = data.xMin ?? -1, hi = data.xMax ?? 1
            guard lo < hi else { throw .spec("data.x_max", "must be greater than data.x_min (\(lo)), got \(hi)") }
        case .csv, .idx, .libsvm, .tfrecord:
            guard let train = data.train, !train.isEmpty else {
                throw .spec("data.train", "required for format \(data.format.rawValue)")
            }
        }
        if data.format == .idx {
            if data.trainLabels?.isEmpty ?? true { throw .spec("data.train_labels", "required for format idx") }
            if data.test != nil, data.testLabels?.isEmpty ?? true {
                throw .spec("data.test_labels", "required with data.test for format idx")
            }
        } else {
            if data.trainLabels != nil { throw .spec("data.train_labels", "only used by format idx") }
            if data.testLabels != nil { throw .spec("data.test_labels", "only used by format idx") }
        }
        if data.format == .csv, data.label?.isEmpty ?? true {
            throw .spec("data.label", "required for format csv (the name of the label column)")
        }
        guard data.testFraction >= 0, data.testFraction < 1 else {
            throw .spec("data.test_fraction", "must be in [0, 1), got \(data.testFraction)")
        }
        if data.test != nil, data.testFraction > 0 {
            throw .spec("data.test_fraction", "give either data.test or data.test_fraction, not both")
        }
        try positive(data.batchSize, "data.batch_size")
        if let features = data.features { try positive(features, "data.features") }
    }

    private func validateOptimizer() throws(SpecError) {
        let o = optimizer
        guard o.learningRate > 0 else { throw .spec("optimizer.learning_rate", "must be > 0, got \(o.learningRate)") }
        try fraction(o.momentum, "optimizer.momentum")
        try fraction(o.beta1, "optimizer.beta1")
        try fraction(o.beta2, "optimizer.beta2")
        try fraction(o.rho, "optimizer.rho")
        guard o.epsilon > 0 else { throw .spec("optimizer.epsilon", "must be > 0, got \(o.epsilon)") }
        guard o.initialAccumulator >= 0 else {
            throw .spec("optimizer.initial_accumulator", "must be ≥ 0, got \(o.initialAccumulator)")
        }
        guard o.l1 >= 0 else { throw .spec("optimizer.l1", "must be ≥ 0, got \(o.l1)") }
        guard o.l2 >= 0 else { throw .spec("optimizer.l2", "must be ≥ 0, got \(o.l2)") }
        try positive(o.schedule.decaySteps, "optimizer.schedule.decay_steps")
        guard o.schedule.decayRate > 0 else {
            throw .spec("optimizer.schedule.decay_rate", "must be > 0, got \(o.schedule.decayRate)")
        }
        try positive(o.schedule.warmupSteps, "optimizer.schedule.warmup_steps")
    }

    private func validateTraining() throws(SpecError) {
        let t = training
        try positive(cluster.workers, "cluster.workers")
        if let shards = cluster.psShards { try positive(shards, "cluster.ps_shards") }
        switch t.mode {
        case .sync:
            try positive(t.replicasToAggregate, "training.replicas_to_aggregate")
            guard t.backupWorkers >= 0 else {
                throw .spec("training.backup_workers", "must be ≥ 0, got \(t.backupWorkers)")
            }
            let needed = t.replicasToAggregate + t.backupWorkers
            guard cluster.workers >= needed else {
                throw .spec(
                    "cluster.workers",
                    "must be ≥ training.replicas_to_aggregate + training.backup_workers (\(needed)), got \(cluster.workers)")
            }
            if t.maxStaleness != nil { throw .spec("training.max_staleness", "only valid when training.mode is async") }
        case .async:
            if let s = t.maxStaleness, s < 0 { throw .spec("training.max_staleness", "must be ≥ 0, got \(s)") }
        }
        guard t.epochs != nil || t.maxSteps != nil else { throw .spec("training", "give epochs or max_steps") }
        if let epochs = t.epochs { try positive(epochs, "training.epochs") }
        if let steps = t.maxSteps { try positive(steps, "training.max_steps") }
        guard t.evalEverySteps >= 0 else {
            throw .spec("training.eval_every_steps", "must be ≥ 0 (0 evaluates only at the end), got \(t.evalEverySteps)")
        }
        if let every = t.checkpoint.everySteps { try positive(every, "training.checkpoint.every_steps") }
        if let seconds = t.checkpoint.everySeconds, !(seconds > 0) {
            throw .spec("training.checkpoint.every_seconds", "must be > 0, got \(seconds)")
        }
        try positive(t.checkpoint.keep, "training.checkpoint.keep")
        if let stop = t.stopAt, stop.metric != .loss, !(0...1).contains(stop.value) {
            throw .spec("training.stop_at.value", "\(stop.metric.rawValue) is in [0, 1], got \(stop.value)")
        }
    }

    private func positive(_ value: Int, _ path: String) throws(SpecError) {
        guard value > 0 else { throw .spec(path, "must be > 0, got \(value)") }
    }

    private func fraction(_ value: Double, _ path: String) throws(SpecError) {
        guard value >= 0, value < 1 else { throw .spec(path, "must be in [0, 1), got \(value)") }
    }
}
