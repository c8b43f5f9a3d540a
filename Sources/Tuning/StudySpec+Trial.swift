import JobSpec
import Yams

extension StudySpec {
    /// The base spec with `assignment` applied (every tuned key set) and, given a trial number, the trial's job name.
    ///
    /// The values are written into the base spec's YAML as if the user had written them, then the job spec parser reads
    /// it again, so a combination the job spec refuses is refused here with the job spec's message.
    public func trialSpec(for assignment: [String: ParamValue], number: Int? = nil) throws(SpecError) -> JobSpec {
        try checkAssignment(assignment)
        var root = try StudySpecParser.compose(baseYAML)
        for (i, param) in params.enumerated() {
            guard let value = assignment[param.key] else { continue }
            let key = try ParamKey(param.key, at: "tuning.params[\(i)].key")
            root = try YAMLEdit.set(root, key: key, value: value, at: "tuning.params[\(i)].key")
        }
        if let number {
            guard number >= 1, number <= maxTrials else { throw SpecError("trial \(number) is not in 1…\(maxTrials)", path: "trial") }
            root = try YAMLEdit.set(root, key: .name, value: .string(trialName(number)), at: "name")
        }
        do {
            return try JobSpecParser.parse(yaml: try StudySpecParser.serialize(root))
        } catch {
            let values = params.compactMap { p in assignment[p.key].map { "\(p.key) = \($0)" } }.joined(separator: ", ")
            throw SpecError("with \(values) the job spec is invalid: \(error.description)", path: error.path)
        }
    }

    /// Refuses an assignment that misses a param, names an unknown key, or holds a value outside a param's range or list.
    public func checkAssignment(_ assignment: [String: ParamValue]) throws(SpecError) {
        for key in assignment.keys where !params.contains(where: { $0.key == key }) {
            throw SpecError("\(key) is not a tuned parameter of this study", path: "assignment")
        }
        for param in params {
            guard let value = assignment[param.key] else { throw SpecError("\(param.key) has no value", path: "assignment") }
            guard param.admits(value) else { throw SpecError("\(value) is outside \(param.key)'s range or values", path: "assignment") }
        }
    }
}

extension ParamSpec {
    /// Whether `value` is one this parameter can take.
    func admits(_ value: ParamValue) -> Bool {
        switch (type, value) {
        case (.double, .double(let d)): return d.isFinite && d >= (min ?? 0) && d <= (max ?? 0)
        case (.integer, .int(let i)): return Double(i) >= (min ?? 0) && Double(i) <= (max ?? 0)
        case (.categorical, _), (.discrete, _): return values.contains(value)
        default: return false
        }
    }
}

extension ParamKey {
    /// The job's `name`.
    static let name = ParamKey(uncheckedPath: ["name"])

    private init(uncheckedPath: [String]) {
        self.path = uncheckedPath
        self.index = nil
        self.kind = .word
    }
}
