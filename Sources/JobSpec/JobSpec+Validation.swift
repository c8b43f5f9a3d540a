extension JobSpec {
    /// Checks every semantic rule of the spec (documented in docs/job-spec.md); errors carry the field's path.
    /// Every number is held to its bound (`JobSpecLimits`) before a rule does arithmetic with it.
    public func validate() throws(SpecError) {
        try validateName()
        try checkLimits()
        try validateModel()
        try validateData()
        try validateOptimizer()
        try validateTraining()
        try checkModelSize()
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
        if model.type == .mlp, model.hidden.isEmpty {
            throw .spec("model.hidden", "an mlp needs at least one hidden layer")
        }
        try fraction(model.dropout, "model.dropout")
        if let cnn = model.cnn {
            if let shape = cnn.inputShape {
                // Each block halves (pool_size) the image; MaxPool2D needs a window's worth of pixels left.
                var (h, w) = (shape[0], shape[1])
                for i in cnn.filters.indices {
                    guard h >= cnn.poolSize, w >= cnn.poolSize else {
                        throw .spec(
                            "model.cnn.filters",
                            "convolution \(i) gets a \(h)×\(w) image, smaller than model.cnn.pool_size \(cnn.poolSize): use fewer filters entries or a smaller pool_size")
                    }
                    (h, w) = (h / cnn.poolSize, w / cnn.poolSize)
                }
            } else if data.format != .idx {
                throw .spec("model.cnn.input_shape", "required unless data.format is idx")
            }
        }
    }

    private func validateData() throws(SpecError) {
        if let stream = data.stream { return try validateStream(stream) }
        switch data.format {
        case .synthetic:
            guard let weights = data.weights, !weights.isEmpty else {
                throw .spec("data.weights", "needs at least one weight (one per feature)")
            }
            try JobSpecLimits.samples.check(data.samples ?? 0, at: "data.samples")
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
        guard o.schedule.decayRate > 0 else {
            throw .spec("optimizer.schedule.decay_rate", "must be > 0, got \(o.schedule.decayRate)")
        }
    }

    private func validateTraining() throws(SpecError) {
        let t = training
        switch t.mode {
        case .sync:
            // Both are bounded by JobSpecLimits already; the sum saturates regardless.
            let needed = Saturating.add(t.replicasToAggregate, t.backupWorkers)
            guard cluster.workers >= needed else {
                throw .spec(
                    "cluster.workers",
                    "must be ≥ training.replicas_to_aggregate + training.backup_workers (\(needed)), got \(cluster.workers)")
            }
            if t.maxStaleness != nil { throw .spec("training.max_staleness", "only valid when training.mode is async") }
        case .async:
            break
        }
        if data.stream != nil {
            // A stream has no epochs: the job runs until max_steps or until it is cancelled.
            if t.epochs != nil { throw .spec("training.epochs", "a stream has no epochs: give max_steps, or leave it out to train until cancelled") }
        } else {
            guard t.epochs != nil || t.maxSteps != nil else { throw .spec("training", "give epochs or max_steps") }
        }
        if let seconds = t.checkpoint.everySeconds, !(seconds > 0) {
            throw .spec("training.checkpoint.every_seconds", "must be > 0, got \(seconds)")
        }
        if let stop = t.stopAt, stop.metric != .loss, !(0...1).contains(stop.value) {
            throw .spec("training.stop_at.value", "\(stop.metric.rawValue) is in [0, 1], got \(stop.value)")
        }
    }

    /// A stream replaces the fixed files: no paths beside it, a format whose one file holds whole examples, and a
    /// model whose inputs do not depend on vocabularies counted over a fixed file.
    private func validateStream(_ stream: StreamSpec) throws(SpecError) {
        guard StreamSpec.formats.contains(data.format) else {
            throw .spec("data.format", "a stream reads \(StreamSpec.formats.map(\.rawValue).joined(separator: ", ")) files, not \(data.format.rawValue)")
        }
        for (key, value) in [("train", data.train), ("train_labels", data.trainLabels), ("test", data.test), ("test_labels", data.testLabels)]
        where value != nil {
            throw .spec("data.\(key)", "not used with data.stream (the stream's files are the data; test_fraction holds rows out)")
        }
        guard !stream.dir.isEmpty else { throw .spec("data.stream.dir", "required") }
        if data.format == .csv, data.label?.isEmpty ?? true {
            throw .spec("data.label", "required for format csv (the name of the label column)")
        }
        if model.type == .wideDeep {
            throw .spec("data.stream", "wide_deep models are not trained on a stream yet (their column encoding is fitted on one file)")
        }
        guard data.testFraction >= 0, data.testFraction < 1 else {
            throw .spec("data.test_fraction", "must be in [0, 1), got \(data.testFraction)")
        }
    }

    private func fraction(_ value: Double, _ path: String) throws(SpecError) {
        guard value >= 0, value < 1 else { throw .spec(path, "must be in [0, 1), got \(value)") }
    }
}
