import JobSpec
import Yams

/// Reads a YAML study (a job spec plus a `tuning:` section) into a validated `StudySpec`; errors name the path.
public enum StudySpecParser {
    /// The keys of `tuning:` (StudyFields, which the study's JSON Schema is built from too).
    static let tuningKeys = StudyFields.tuning.keys
    /// The keys of `tuning.early_stopping` as a mapping.
    static let stoppingKeys = StudyFields.earlyStopping.keys
    /// The keys of `tuning.tpe`.
    static let tpeKeys = StudyFields.tpe.keys
    /// Longest job name a trial may get (the job spec's name limit).
    static let jobNameBytes = 128

    /// Parses and validates a study; every tuned value range is applied to the base spec and must keep it valid.
    public static func parse(yaml: String) throws(SpecError) -> StudySpec {
        let root = try compose(yaml)
        guard case .mapping(let mapping) = root else { throw SpecError("expected a mapping, got \(describe(root))", path: "study") }
        let allowed = JobSpecKeys.topLevel + ["tuning"]
        var jobPairs: [(Node, Node)] = []
        var tuningNode: Node?
        for (keyNode, value) in mapping {
            let key = keyNode.scalar?.string ?? ""
            guard allowed.contains(key) else {
                var message = "unknown key"
                if let hint = closestMatch(to: key, in: allowed) { message += " (did you mean \"\(hint)\"?)" }
                throw SpecError(message, path: key.isEmpty ? "study" : key)
            }
            switch key {
            case "tuning": tuningNode = value
            case "kind":
                guard value.scalar?.string == StudySpec.kind else {
                    throw SpecError("a study's kind is \(StudySpec.kind) (or no kind), got \(describe(value))", path: "kind")
                }
            default: jobPairs.append((keyNode, value))
            }
        }
        guard let tuningNode, !isNull(tuningNode) else { throw SpecError("required: a study needs a tuning section", path: "tuning") }
        let jobRoot = Node(jobPairs, mapping.tag, mapping.style)
        let baseYAML = try serialize(jobRoot)
        let base = try JobSpecParser.parse(yaml: baseYAML)
        let t = try TuningMapping(tuningNode, path: "tuning", allowed: tuningKeys)

        guard let goal = try t.choice("goal", as: Goal.self) else { throw SpecError("required (maximize or minimize)", path: t.path("goal")) }
        guard let metric = try t.string("metric") else { throw SpecError("required (accuracy, auc, loss or a reported metric)", path: t.path("metric")) }
        try checkMetric(metric, at: t.path("metric"))
        guard let maxTrials = try t.int("max_trials", within: TuningLimits.maxTrials) else {
            throw SpecError("required (trials in all, at most \(TuningLimits.maxTrials.upper))", path: t.path("max_trials"))
        }
        let maxParallel = try t.int("max_parallel_trials", within: TuningLimits.maxParallelTrials) ?? StudyFields.defaultParallelTrials
        guard maxParallel <= maxTrials else {
            throw SpecError("must be ≤ max_trials (\(maxTrials)), got \(maxParallel)", path: t.path("max_parallel_trials"))
        }
        let algorithm = try t.choice("algorithm", as: AlgorithmKind.self) ?? StudyFields.defaultAlgorithm
        let tpe = try readTPE(t, algorithm: algorithm)
        let stopping = try readStopping(t)
        let seed = try t.int("seed", within: TuningLimits.seed) ?? StudyFields.defaultSeed

        let nameLimit = jobNameBytes - "-trial-\(maxTrials)".utf8.count
        guard base.name.utf8.count <= nameLimit else {
            throw SpecError("at most \(nameLimit) bytes so each trial's job name (\(base.name)-trial-N) fits the job-name limit", path: "name")
        }
        guard let paramNodes = try t.list("params") else { throw SpecError("required: the parameters to tune", path: t.path("params")) }
        try TuningLimits.params.checkCount(paramNodes.count, at: t.path("params"), of: "parameters")
        var params: [ParamSpec] = []
        for (i, node) in paramNodes.enumerated() {
            let param = try readParam(node, at: "\(t.path("params"))[\(i)]")
            if let j = params.firstIndex(where: { $0.key == param.key }) {
                throw SpecError("\(param.key) is already tuned by tuning.params[\(j)]", path: "\(t.path("params"))[\(i)].key")
            }
            try checkApplies(param, at: "\(t.path("params"))[\(i)]", to: jobRoot)
            params.append(param)
        }
        if algorithm == .grid { _ = try gridSize(params, at: t.path("params")) }
        return StudySpec(
            name: base.name, base: base, baseYAML: baseYAML, sourceYAML: yaml, goal: goal, metric: metric, maxTrials: maxTrials,
            maxParallelTrials: maxParallel, params: params, algorithm: algorithm, tpe: tpe, earlyStopping: stopping, seed: UInt64(seed))
    }

    /// Points of the whole grid, refusing one past `TuningLimits.gridSize`.
    static func gridSize(_ params: [ParamSpec], at path: String) throws(SpecError) -> Int {
        var size = 1
        for p in params {
            let (product, overflow) = size.multipliedReportingOverflow(by: GridSearch.points(of: p).count)
            guard !overflow, product <= TuningLimits.gridSize.upper else {
                throw SpecError("the grid has more than \(TuningLimits.gridSize.upper) points (\(TuningLimits.gridSize.name)); lower grid_points or values", path: path)
            }
            size = product
        }
        return size
    }

    private static func checkMetric(_ metric: String, at path: String) throws(SpecError) {
        try TuningLimits.metricBytes.checkCount(metric.utf8.count, at: path, of: "bytes")
        let ok = metric.unicodeScalars.enumerated().allSatisfy { i, c in
            c.isASCII && (c.properties.isAlphabetic || (i > 0 && (("0"..."9").contains(c) || "_./-".unicodeScalars.contains(c))))
        }
        guard ok else { throw SpecError("\"\(metric)\" is not a metric name: a letter, then letters, digits, _ . / -", path: path) }
    }

    private static func readTPE(_ t: TuningMapping, algorithm: AlgorithmKind) throws(SpecError) -> TPESettings {
        var tpe = TPESettings()
        guard let m = try t.mapping("tpe", allowed: tpeKeys) else { return tpe }
        guard algorithm == .tpe else { throw SpecError("only valid when tuning.algorithm is tpe", path: m.path) }
        tpe.startupTrials = try m.int("startup_trials", within: TuningLimits.startupTrials) ?? tpe.startupTrials
        tpe.candidates = try m.int("candidates", within: TuningLimits.candidates) ?? tpe.candidates
        if let gamma = try m.double("gamma") {
            guard gamma > 0, gamma < 1 else { throw SpecError("must be in (0, 1), got \(gamma)", path: m.path("gamma")) }
            tpe.gamma = gamma
        }
        return tpe
    }

    private static func readStopping(_ t: TuningMapping) throws(SpecError) -> EarlyStoppingSpec {
        guard let node = t.node("early_stopping") else { return .none }
        let path = t.path("early_stopping")
        if case .scalar(let s) = node {
            guard s.string == "none" else {
                throw SpecError("expected none or a mapping with rule: median or asha, got \(describe(node))", path: path)
            }
            return .none
        }
        let m = try TuningMapping(node, path: path, allowed: stoppingKeys)
        guard let rule = try m.choice("rule", as: StoppingRule.self) else { throw SpecError("required (none, median or asha)", path: m.path("rule")) }
        let minSteps = try m.int("min_steps", within: TuningLimits.steps)
        if rule != .none, minSteps == nil { throw SpecError("required: the first step at which a trial may be stopped", path: m.path("min_steps")) }
        for (key, rules) in StudyFields.stoppingRuleKeys
        where m.has(key) && !rules.contains(rule) {
            throw SpecError("only valid when rule is \(rules.map(\.rawValue).joined(separator: " or "))", path: m.path(key))
        }
        switch rule {
        case .none: return .none
        case .median: return .median(minSteps: minSteps ?? 1, minTrials: try m.int("min_trials", within: TuningLimits.minTrials) ?? StudyFields.defaultMinTrials)
        case .asha: return .asha(minSteps: minSteps ?? 1, reductionFactor: try m.int("reduction_factor", within: TuningLimits.reductionFactor) ?? StudyFields.defaultReductionFactor)
        }
    }

    /// `early_stopping.rule`.
    enum StoppingRule: String, CaseIterable { case none, median, asha }

    static func compose(_ yaml: String) throws(SpecError) -> Node {
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw SpecError("the study is empty") }
            return node
        } catch let error as SpecError {
            throw error
        } catch {
            throw SpecError("invalid YAML: \(error)")
        }
    }

    static func serialize(_ node: Node) throws(SpecError) -> String {
        do { return try Yams.serialize(node: node) } catch { throw SpecError("cannot write the job spec back as YAML: \(error)") }
    }
}
