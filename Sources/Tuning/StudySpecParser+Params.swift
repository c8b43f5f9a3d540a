import JobSpec
import Yams

extension StudySpecParser {
    /// The keys of one `tuning.params` entry.
    static let paramKeys = StudyFields.param.keys

    /// Reads one parameter: its key must be a tunable job spec field whose kind fits the param's type.
    static func readParam(_ node: Node, at path: String) throws(SpecError) -> ParamSpec {
        let m = try TuningMapping(node, path: path, allowed: paramKeys)
        guard let keyText = try m.string("key") else { throw SpecError("required: a dotted job spec key such as optimizer.learning_rate", path: m.path("key")) }
        let key = try ParamKey(keyText, at: m.path("key"))
        guard let type = try m.choice("type", as: ParamType.self) else {
            throw SpecError("required (double, integer, categorical or discrete)", path: m.path("type"))
        }
        try checkKind(key, type: type, at: m.path("type"))
        var param = ParamSpec(key: key.text, type: type)
        if param.isRange {
            if m.has("values") { throw SpecError("only valid when type is categorical or discrete", path: m.path("values")) }
            guard let lo = type == .integer ? try m.int("min", within: wholeRange).map(Double.init) : try m.double("min") else {
                throw SpecError("required when type is \(type.rawValue)", path: m.path("min"))
            }
            guard let hi = type == .integer ? try m.int("max", within: wholeRange).map(Double.init) : try m.double("max") else {
                throw SpecError("required when type is \(type.rawValue)", path: m.path("max"))
            }
            guard lo < hi else { throw SpecError("min must be < max, got min \(ParamValue.text(lo)) and max \(ParamValue.text(hi))", path: m.path("min")) }
            param.min = lo
            param.max = hi
            param.scale = try m.choice("scale", as: ParamScale.self) ?? .linear
            if param.scale == .log, lo <= 0 {
                throw SpecError("log scale needs min > 0, got \(ParamValue.text(lo))", path: m.path("min"))
            }
            param.gridPoints = try m.int("grid_points", within: TuningLimits.gridPoints) ?? ParamSpec.defaultGridPoints
        } else {
            for k in ["min", "max", "scale", "grid_points"] where m.has(k) {
                throw SpecError("only valid when type is double or integer", path: m.path(k))
            }
            guard let items = try m.list("values") else { throw SpecError("required when type is \(type.rawValue)", path: m.path("values")) }
            try TuningLimits.values.checkCount(items.count, at: m.path("values"), of: "values")
            for (j, item) in items.enumerated() {
                let value = try readValue(item, type: type, kind: key.kind, at: "\(m.path("values"))[\(j)]")
                if let previous = param.values.last, type == .discrete, let a = previous.number, let b = value.number, b <= a {
                    throw SpecError("discrete values must be in increasing order, got \(value) after \(previous)", path: "\(m.path("values"))[\(j)]")
                }
                if param.values.contains(value) { throw SpecError("\(value) is listed twice", path: "\(m.path("values"))[\(j)]") }
                param.values.append(value)
            }
        }
        return param
    }

    /// Integers a range param may bound: exact as Doubles.
    private static let wholeRange = TuningLimits.Bound(-TuningLimits.maxInteger, TuningLimits.maxInteger, "the integer limit")

    private static func checkKind(_ key: ParamKey, type: ParamType, at path: String) throws(SpecError) {
        let fits: Bool
        switch (type, key.kind) {
        case (.double, .number), (.integer, .number), (.integer, .integer), (.discrete, .number), (.discrete, .integer): fits = true
        case (.categorical, .number), (.categorical, .integer), (.categorical, .word): fits = true
        default: fits = false
        }
        guard fits else {
            let holds = key.kind == .integer ? "integers (use type integer or discrete)" : key.kind == .word ? "words (use type categorical)" : "numbers"
            throw SpecError("\(key.text) holds \(holds), not \(type.rawValue) values", path: path)
        }
    }

    private static func readValue(_ node: Node, type: ParamType, kind: JobKeyKind, at path: String) throws(SpecError) -> ParamValue {
        if type == .discrete {
            if kind == .integer { return .int(try parseInt(node, path: path)) }
            return .double(try parseDouble(node, path: path))
        }
        guard case .scalar(let s) = node, !isNull(node) else { throw SpecError("expected a word, got \(describe(node))", path: path) }
        try TuningLimits.valueBytes.checkCount(s.string.utf8.count, at: path, of: "bytes")
        guard !s.string.contains(where: { $0.isNewline }) else { throw SpecError("a value must be one line", path: path) }
        return .string(s.string)
    }

    /// Applies each end of a range, or each listed value, to the base spec alone: the job spec must stay valid.
    static func checkApplies(_ param: ParamSpec, at path: String, to root: Node) throws(SpecError) {
        let key = try ParamKey(param.key, at: "\(path).key")
        var trials: [(String, ParamValue)] = []
        if param.isRange, let lo = param.min, let hi = param.max {
            trials = [("\(path).min", param.value(at: lo)), ("\(path).max", param.value(at: hi))]
        } else {
            trials = param.values.enumerated().map { ("\(path).values[\($0.offset)]", $0.element) }
        }
        for (valuePath, value) in trials {
            let edited = try YAMLEdit.set(root, key: key, value: value, at: "\(path).key")
            do {
                _ = try JobSpecParser.parse(yaml: try serialize(edited))
            } catch {
                throw SpecError("with \(param.key) = \(value) the job spec is invalid: \(error.description)", path: valuePath)
            }
        }
    }
}
