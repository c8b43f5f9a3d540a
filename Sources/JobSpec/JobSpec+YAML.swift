extension JobSpec {
    /// The spec as YAML with every resolved value written out; `JobSpecParser.parse(yaml: spec.yaml) == spec` for valid specs.
    public var yaml: String {
        var w = YAMLWriter()
        w.field("apiVersion", JobSpec.apiVersion)
        w.field("kind", JobSpec.kind)
        w.field("name", YAMLWriter.quoted(name))
        w.section("model") { model.write(to: &$0) }
        w.section("data") { data.write(to: &$0) }
        w.section("optimizer") { optimizer.write(to: &$0) }
        w.section("training") { training.write(to: &$0) }
        w.section("cluster") { w in
            w.field("workers", String(cluster.workers))
            if let shards = cluster.psShards { w.field("ps_shards", String(shards)) }
            w.field("transport", cluster.transport.rawValue)
        }
        if let initFrom { w.field("init_from", YAMLWriter.quoted(initFrom)) }
        if let serving {
            w.section("serving") { w in
                w.field("replicas", String(serving.replicas))
                w.field("refresh_ms", String(serving.refreshMs))
            }
        }
        return w.text
    }
}

extension ModelSpec {
    fileprivate func write(to w: inout YAMLWriter) {
        w.field("type", type.rawValue)
        if !(hidden.isEmpty && ModelSpec.defaultHidden(for: type).isEmpty) { w.field("hidden", YAMLWriter.list(hidden)) }
        w.field("activation", activation.rawValue)
        w.field("dropout", YAMLWriter.number(dropout))
        if let classes { w.field("classes", String(classes)) }
        if let cnn {
            w.section("cnn") { w in
                w.field("filters", YAMLWriter.list(cnn.filters))
                w.field("kernel_size", String(cnn.kernelSize))
                w.field("pool_size", String(cnn.poolSize))
                if let shape = cnn.inputShape { w.field("input_shape", YAMLWriter.list(shape)) }
            }
        }
        if let wd = wideDeep {
            w.section("wide_deep") { w in
                w.field("embedding_dim", String(wd.embeddingDim))
                w.field("categorical", YAMLWriter.list(wd.categorical))
                w.field("numeric", YAMLWriter.list(wd.numeric))
                w.field("wide", YAMLWriter.list(wd.wide))
                w.field("vocabulary_hint", String(wd.vocabularyHint))
            }
        }
    }
}

extension DataSpec {
    fileprivate func write(to w: inout YAMLWriter) {
        w.field("format", format.rawValue)
        let paths: [(String, String?)] = [
            ("train", train), ("train_labels", trainLabels), ("test", test), ("test_labels", testLabels), ("label", label),
        ]
        for (key, value) in paths { if let value { w.field(key, YAMLWriter.quoted(value)) } }
        w.field("test_fraction", YAMLWriter.number(testFraction))
        w.field("normalize", normalize.rawValue)
        w.field("batch_size", String(batchSize))
        w.field("shuffle", String(shuffle))
        if let features { w.field("features", String(features)) }
        if let samples { w.field("samples", String(samples)) }
        if let weights { w.field("weights", YAMLWriter.list(weights)) }
        let numbers: [(String, Double?)] = [("bias", bias), ("noise", noise), ("x_min", xMin), ("x_max", xMax)]
        for (key, value) in numbers { if let value { w.field(key, YAMLWriter.number(value)) } }
        if let stream {
            w.section("stream") { w in
                w.field("dir", YAMLWriter.quoted(stream.dir))
                w.field("pattern", YAMLWriter.quoted(stream.pattern))
                w.field("poll_ms", String(stream.pollMs))
                w.field("eval_window", String(stream.evalWindow))
            }
        }
    }
}

extension OptimizerSpec {
    fileprivate func write(to w: inout YAMLWriter) {
        w.field("type", type.rawValue)
        w.field("learning_rate", YAMLWriter.number(learningRate))
        w.field("momentum", YAMLWriter.number(momentum))
        w.field("nesterov", String(nesterov))
        w.field("beta1", YAMLWriter.number(beta1))
        w.field("beta2", YAMLWriter.number(beta2))
        w.field("epsilon", YAMLWriter.number(epsilon))
        w.field("rho", YAMLWriter.number(rho))
        w.field("initial_accumulator", YAMLWriter.number(initialAccumulator))
        w.field("l1", YAMLWriter.number(l1))
        w.field("l2", YAMLWriter.number(l2))
        w.section("schedule") { w in
            w.field("type", schedule.type.rawValue)
            w.field("decay_steps", String(schedule.decaySteps))
            w.field("decay_rate", YAMLWriter.number(schedule.decayRate))
            w.field("staircase", String(schedule.staircase))
            w.field("warmup_steps", String(schedule.warmupSteps))
        }
    }
}

extension TrainingSpec {
    fileprivate func write(to w: inout YAMLWriter) {
        w.field("mode", mode.rawValue)
        switch mode {
        case .sync:
            w.field("replicas_to_aggregate", String(replicasToAggregate))
            w.field("backup_workers", String(backupWorkers))
        case .async:
            if let maxStaleness { w.field("max_staleness", String(maxStaleness)) }
        }
        if let epochs { w.field("epochs", String(epochs)) }
        if let maxSteps { w.field("max_steps", String(maxSteps)) }
        w.field("eval_every_steps", String(evalEverySteps))
        w.section("checkpoint") { w in
            if let every = checkpoint.everySteps { w.field("every_steps", String(every)) }
            if let seconds = checkpoint.everySeconds { w.field("every_seconds", YAMLWriter.number(seconds)) }
            w.field("keep", String(checkpoint.keep))
        }
        if let stopAt {
            w.section("stop_at") { w in
                w.field("metric", stopAt.metric.rawValue)
                w.field("value", YAMLWriter.number(stopAt.value))
            }
        }
        w.field("seed", String(seed))
    }
}
