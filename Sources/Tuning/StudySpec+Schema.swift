import JobSpec

extension StudySpec {
    /// Where the committed study schema lives in the repository (`clusterctl schema --kind study` prints the same text).
    public static let schemaPath = "docs/schema/study.schema.json"

    /// The JSON Schema (draft 2020-12) of a study: the job spec's schema (its keys, bounds, words, defaults and rules,
    /// embedded from the JobSpec module) with `kind: Study` and a `tuning:` section built from `StudyFields` and
    /// `TuningLimits`; ends with a newline.
    ///
    /// Rules across fields (max_parallel_trials ≤ max_trials, min < max, the grid size, each tuned value keeping the
    /// job spec valid) stay with the parser.
    public static var jsonSchema: String { StudySchema.document.printed() + "\n" }
}

/// Builds the study schema document from `StudyFields`.
enum StudySchema {
    static var document: JSONValue {
        JobSpec.jsonSchema(
            id: "https://tessera.dev/schema/study.schema.json",
            title: "Tessera study (\(JobSpec.apiVersion) \(StudySpec.kind))",
            description: "A hyperparameter study: a job spec (docs/job-spec.md) plus kind: Study and a tuning: section (docs/tuning.md), "
                + "generated from the JobSpec and Tuning modules (clusterctl schema --kind study). Null values mean \"use the default\".",
            properties: [("kind", kind), ("tuning", tuning)],
            required: ["tuning"])
    }

    /// `kind: Study` (optional, like a job spec's `kind`; never null: the parser refuses it).
    static var kind: JSONValue {
        .object([
            ("description", .string("What the document describes (optional; \(StudySpec.kind)).")),
            ("enum", .array([.string(StudySpec.kind)])),
        ])
    }

    /// The `tuning:` section with its rules.
    static var tuning: JSONValue {
        let description = JSONValue.string("The search: goal, metric, trial counts, params, algorithm, early stopping.")
        return .object([("description", description)] + section(StudyFields.tuning) + [("allOf", .array(tuningRules))])
    }

    /// `type: object` with its properties, required keys and no others.
    static func section(_ s: StudySection, nullable: Bool = false) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [("type", nullable ? .array([.string("object"), .string("null")]) : .string("object"))]
        let required = s.fields.filter(\.required).map { JSONValue.string($0.key) }
        if !required.isEmpty { members.append(("required", .array(required))) }
        members.append(("additionalProperties", .bool(false)))
        members.append(("properties", .object(s.fields.map { ($0.key, property($0)) })))
        return members
    }

    static func property(_ f: StudyField) -> JSONValue {
        var p: [(String, JSONValue)] = [("description", .string(f.summary))]
        // TuningMapping reads a null value as "absent": optional keys accept it.
        let nullable = !f.required
        func typed(_ name: String) -> JSONValue { nullable ? .array([.string(name), .string("null")]) : .string(name) }
        switch f.kind {
        case .integer(let b):
            p += [("type", typed("integer")), ("minimum", .int(b.lower)), ("maximum", .int(b.upper))]
        case .openInterval(let lo, let hi):
            p += [("type", typed("number")), ("exclusiveMinimum", .double(lo)), ("exclusiveMaximum", .double(hi))]
        case .number:
            p += [("type", typed("number"))] + magnitude
        case .word(let words):
            p.append(("enum", .array(words.map(JSONValue.string) + (nullable ? [.null] : []))))
        case .string(let length, let pattern):
            p += [("type", typed("string")), ("minLength", .int(length.lower)), ("maxLength", .int(length.upper)), ("pattern", .string(pattern))]
        case .section(let s):
            p += section(s, nullable: nullable)
        case .list(let count, let item):
            p += [
                ("type", typed("array")), ("minItems", .int(count.lower)), ("maxItems", .int(count.upper)),
                ("items", .object(section(item) + [("allOf", .array(paramRules))])),
            ]
        case .noneOr(let s):
            p.append(("anyOf", .array([
                .object([("enum", .array([.string(StudySpecParser.StoppingRule.none.rawValue)] + (nullable ? [.null] : [])))]),
                .object(section(s) + [("allOf", .array(stoppingRules))]),
            ])))
        case .paramKey:
            p.append(("anyOf", .array([.object([("enum", .array(tunableKeys.scalars.map(JSONValue.string)))]), listKeyPattern])))
        case .paramValues:
            p += [
                ("type", typed("array")), ("minItems", .int(TuningLimits.values.lower)), ("maxItems", .int(TuningLimits.values.upper)),
                ("uniqueItems", .bool(true)),
                ("items", .object([
                    ("type", .array([.string("number"), .string("string"), .string("boolean")])),
                    ("minLength", .int(TuningLimits.valueBytes.lower)), ("maxLength", .int(TuningLimits.valueBytes.upper)),
                    ("pattern", .string("^[^\\n\\r]*$")),
                ] + magnitude)),
            ]
        }
        if let d = f.defaultValue { p.append(("default", d)) }
        return .object(p)
    }

    /// A number of magnitude ≤ `TuningLimits.maxMagnitude`.
    private static var magnitude: [(String, JSONValue)] {
        [("minimum", .double(-TuningLimits.maxMagnitude)), ("maximum", .double(TuningLimits.maxMagnitude))]
    }

    /// Job spec keys a param may tune: scalar keys by name, list keys with an index (`model.hidden[0]`, `model.hidden.0`).
    static var tunableKeys: (scalars: [String], lists: [String]) {
        var scalars: [String] = [], lists: [String] = []
        for name in JobSpecKeys.names {
            switch JobSpecKeys.all[name] {
            case .number, .integer, .word: scalars.append(name)
            case .list(let item) where [.number, .integer, .word].contains(item): lists.append(name)
            default: break
            }
        }
        return (scalars, lists)
    }

    private static var listKeyPattern: JSONValue {
        let names = tunableKeys.lists.map { $0.split(separator: ".").joined(separator: "\\.") }.joined(separator: "|")
        return .object([
            ("description", .string("One entry of a list key.")), ("type", .string("string")),
            ("pattern", .string("^(\(names))(\\[[0-9]+\\]|\\.[0-9]+)$")),
        ])
    }

    /// `{if: {required: [key], properties: {key: {enum: values}}}, then: …}`.
    static func rule(when key: String, in values: [String], then: [(String, JSONValue)]) -> JSONValue {
        .object([
            ("if", .object([("required", .array([.string(key)])), ("properties", .object([(key, .object([("enum", .array(values.map(JSONValue.string)))]))]))])),
            ("then", .object(then)),
        ])
    }

    /// Keys that may only be absent or null here.
    static func onlyNull(_ keys: [String]) -> [(String, JSONValue)] {
        [("properties", .object(keys.map { ($0, .object([("type", .string("null"))])) }))]
    }

    /// `tpe` only with algorithm tpe (the default).
    static var tuningRules: [JSONValue] {
        [rule(when: "algorithm", in: AlgorithmKind.allCases.filter { $0 != .tpe }.map(\.rawValue), then: onlyNull(["tpe"]))]
    }

    /// Range params (double, integer) take min/max/scale/grid_points, list params (categorical, discrete) values;
    /// integer ranges have whole ends; a log scale needs min > 0.
    static var paramRules: [JSONValue] {
        let ranges = ParamType.allCases.filter { ParamSpec(key: "", type: $0).isRange }
        let lists = ParamType.allCases.filter { !ranges.contains($0) }
        let rangeKeys = ["min", "max", "scale", "grid_points"]
        func present(_ keys: [String], _ type: String, nulls: [String]) -> [(String, JSONValue)] {
            [
                ("required", .array(keys.map(JSONValue.string))),
                ("properties", .object(keys.map { ($0, .object([("type", .string(type))])) } + nulls.map { ($0, .object([("type", .string("null"))])) })),
            ]
        }
        let whole = JSONValue.object([("type", .string("integer"))])
        let positive = JSONValue.object([("exclusiveMinimum", .int(0))])
        return [
            rule(when: "type", in: ranges.map(\.rawValue), then: present(["min", "max"], "number", nulls: ["values"])),
            rule(when: "type", in: lists.map(\.rawValue), then: present(["values"], "array", nulls: rangeKeys)),
            rule(when: "type", in: [ParamType.integer.rawValue], then: [("properties", .object([("min", whole), ("max", whole)]))]),
            rule(when: "scale", in: [ParamScale.log.rawValue], then: [("properties", .object([("min", positive)]))]),
        ]
    }

    /// Each rule's keys (`StudyFields.stoppingRuleKeys`); min_steps is required by the rules that take it.
    static var stoppingRules: [JSONValue] {
        StudySpecParser.StoppingRule.allCases.map { r in
            let refused = StudyFields.stoppingRuleKeys.filter { !$0.rules.contains(r) }.map(\.key)
            let needed = r == .none ? [] : [("required", JSONValue.array([.string("min_steps")]))]
            return rule(when: "rule", in: [r.rawValue], then: needed + onlyNull(refused))
        }
    }
}
