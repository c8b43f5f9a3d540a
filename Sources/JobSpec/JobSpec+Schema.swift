extension JobSpec {
    /// Where the committed schema lives in the repository (`clusterctl schema` prints the same text).
    public static let schemaPath = "docs/schema/job-spec.schema.json"

    /// The JSON Schema (draft 2020-12) of a job spec, built from the tables the parser reads its keys from, the
    /// `SpecWord` vocabularies and the `JobSpecLimits` bounds; ends with a newline.
    ///
    /// It checks what one document decides alone (keys, types, words, bounds, which keys go with which mode, format
    /// or model type); rules across fields (sync workers ≥ replicas + backups, x_max > x_min, image sizes, model
    /// size) stay with the parser, so a spec the schema accepts can still be refused by `clusterctl validate`.
    public static var jsonSchema: String { JobSpecSchema.document.printed() + "\n" }
}

/// Builds the schema document from `SpecFields`.
enum JobSpecSchema {
    static var document: JSONValue {
        var root: [(String, JSONValue)] = [
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("$id", .string("https://tessera.dev/schema/job-spec.schema.json")),
            ("title", .string("Tessera job spec (\(JobSpec.apiVersion) \(JobSpec.kind))")),
            ("description", .string(
                "A training job for clusterctl submit, generated from the JobSpec module (clusterctl schema); "
                    + "docs/job-spec.md explains every key. Null values mean \"use the default\".")),
        ]
        root += section(SpecFields.top)
        root.append(("allOf", .array([modelRules, dataRules, trainingRules].flatMap { $0 })))
        return .object(root)
    }

    /// `type: object` with its properties, required keys and no others.
    static func section(_ s: SpecSection) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [("type", .string("object"))]
        let required = s.fields.filter(\.required).map { JSONValue.string($0.key) }
        if !required.isEmpty { members.append(("required", .array(required))) }
        members.append(("additionalProperties", .bool(false)))
        members.append(("properties", .object(s.fields.map { ($0.key, property($0)) })))
        return members
    }

    static func property(_ f: SpecField) -> JSONValue {
        var p: [(String, JSONValue)] = [("description", .string(f.summary))]
        // The parser reads a null value as "absent": optional keys accept it.
        let nullable = !f.required
        func typed(_ name: String) -> JSONValue { nullable ? .array([.string(name), .string("null")]) : .string(name) }
        switch f.kind {
        case .string(let length, let pattern):
            p += [("type", typed("string")), ("minLength", .int(length.lower)), ("maxLength", .int(length.upper))]
            if let pattern { p.append(("pattern", .string(pattern))) }
        case .integer(let bound):
            p += [("type", typed("integer"))] + range(bound)
        case .number(let r):
            p.append(("type", typed("number")))
            let ends: [(String, Double?)] = [
                ("minimum", r.minimum), ("exclusiveMinimum", r.exclusiveMinimum), ("maximum", r.maximum), ("exclusiveMaximum", r.exclusiveMaximum),
            ]
            for (name, value) in ends { if let value { p.append((name, .double(value))) } }
        case .boolean:
            p.append(("type", typed("boolean")))
        case .word(let words), .constant(let words):
            p.append(("enum", .array(words.map(JSONValue.string) + (nullable ? [.null] : []))))
        case .modelType:
            p.append(("anyOf", .array([
                .object([("enum", .array(ModelType.builtIn.map { .string($0.rawValue) }))]),
                .object([
                    ("description", .string("A model registered with workers' ModelRegistry (accepted at submit while a worker advertises it).")),
                    ("type", .string("string")), ("pattern", .string("^[a-z][a-z0-9_]*$")), ("maxLength", .int(64)),
                ]),
            ])))
        case .integerList(let count, let item):
            p += list(count, nullable: nullable, items: [("type", .string("integer"))] + range(item))
        case .numberList(let count):
            p += list(count, nullable: nullable, items: [("type", .string("number"))])
        case .stringList(let count, let item):
            p += list(count, nullable: nullable, items: [("type", .string("string")), ("minLength", .int(item.lower)), ("maxLength", .int(item.upper))])
        case .section(let s):
            var members = section(s)
            if nullable { members[0] = ("type", typed("object")) }
            p += members
        }
        if let d = f.defaultValue { p.append(("default", d)) }
        return .object(p)
    }

    static func range(_ b: JobSpecLimits.Bound) -> [(String, JSONValue)] { [("minimum", .int(b.lower)), ("maximum", .int(b.upper))] }

    static func list(_ count: JobSpecLimits.Bound, nullable: Bool, items: [(String, JSONValue)]) -> [(String, JSONValue)] {
        let type: JSONValue = nullable ? .array([.string("array"), .string("null")]) : .string("array")
        return [("type", type), ("minItems", .int(count.lower)), ("maxItems", .int(count.upper)), ("items", .object(items))]
    }

    /// `{if: {properties: {key: {const: value}}, required: [key]}, then: …, else: …}` at `path` (a chain of sections).
    static func rule(at path: [String], when key: String, is value: String, then: [(String, JSONValue)], otherwise: [(String, JSONValue)]) -> JSONValue {
        func nest(_ inner: [(String, JSONValue)]) -> JSONValue {
            path.reversed().reduce(.object(inner)) { schema, name in .object([("properties", .object([(name, schema)]))]) }
        }
        var members: [(String, JSONValue)] = [
            ("if", nest([("properties", .object([(key, .object([("const", .string(value))]))])), ("required", .array([.string(key)]))])),
        ]
        if !then.isEmpty { members.append(("then", nest(then))) }
        if !otherwise.isEmpty { members.append(("else", nest(otherwise))) }
        // A section that is absent satisfies "if" vacuously only when it is there: wrap the if so it needs the section.
        if let first = path.first {
            members[0].1 = .object([("required", .array([.string(first)]))] + ifMembers(members[0].1))
        }
        return .object(members)
    }

    private static func ifMembers(_ v: JSONValue) -> [(String, JSONValue)] {
        if case .object(let m) = v { return m }
        return []
    }

    /// Keys that may only be absent or null here.
    static func onlyNull(_ keys: [String]) -> [(String, JSONValue)] {
        [("properties", .object(keys.map { ($0, .object([("type", .string("null"))])) }))]
    }

    static var modelRules: [JSONValue] {
        [
            rule(at: ["model"], when: "type", is: ModelFamily.cnn.rawValue, then: [], otherwise: onlyNull(["cnn"])),
            rule(at: ["model"], when: "type", is: ModelFamily.wideDeep.rawValue, then: [], otherwise: onlyNull(["wide_deep"])),
        ]
    }

    static var dataRules: [JSONValue] {
        [
            rule(
                at: ["data"], when: "format", is: DataFormat.synthetic.rawValue,
                then: [("required", .array([.string("weights")]))] + onlyNull(["train", "train_labels", "test", "test_labels", "label", "stream"]),
                otherwise: [("anyOf", .array([fixedFiles, stream]))] + onlyNull(SpecFields.synthetic.keys)),
            rule(at: ["data"], when: "format", is: DataFormat.csv.rawValue, then: [("required", .array([.string("label")]))], otherwise: []),
            rule(
                at: ["data"], when: "format", is: DataFormat.idx.rawValue, then: [("required", .array([.string("train_labels")]))],
                otherwise: onlyNull(["train_labels", "test_labels"])),
        ]
    }

    /// Files named by `train` (no stream).
    private static var fixedFiles: JSONValue {
        .object([("required", .array([.string("train")]))] + onlyNull(["stream"]))
    }

    /// A stream instead of files (`data.stream`: none of the file keys).
    private static var stream: JSONValue {
        .object([("required", .array([.string("stream")]))] + onlyNull(["train", "train_labels", "test", "test_labels"]))
    }

    static var trainingRules: [JSONValue] {
        [
            rule(
                at: ["training"], when: "mode", is: TrainingMode.sync.rawValue, then: onlyNull(["max_staleness"]),
                otherwise: onlyNull(["replicas_to_aggregate", "backup_workers"])),
        ]
    }
}
