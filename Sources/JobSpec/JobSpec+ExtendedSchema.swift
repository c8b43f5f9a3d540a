extension JobSpec {
    /// The job spec's JSON Schema extended for a document that is a job spec plus more (a study adds `kind: Study` and
    /// `tuning:`): `properties` replace the same-named top-level ones (`kind`) or follow them (`tuning`), `required`
    /// joins the job spec's required keys; every other key, bound, word, default and rule is the job spec's own.
    public static func jsonSchema(
        id: String, title: String, description: String, properties extra: [(key: String, schema: JSONValue)], required: [String]
    ) -> JSONValue {
        guard case .object(let members) = JobSpecSchema.document else { return JobSpecSchema.document }
        return .object(members.map { name, value in
            switch (name, value) {
            case ("$id", _): (name, .string(id))
            case ("title", _): (name, .string(title))
            case ("description", _): (name, .string(description))
            case ("required", .array(let keys)): (name, .array(keys + required.map(JSONValue.string)))
            case ("properties", .object(let properties)):
                (name, .object(
                    properties.map { key, schema in (key, extra.first { $0.key == key }?.schema ?? schema) }
                        + extra.filter { e in !properties.contains { $0.0 == e.key } }.map { ($0.key, $0.schema) }))
            default: (name, value)
            }
        })
    }
}
