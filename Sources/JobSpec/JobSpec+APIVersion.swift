extension JobSpec {
    /// The format version `JobSpec.yaml` writes (`apiVersion:`); specs without one are read as this version.
    public static let apiVersion = "tessera.dev/v1"
    /// What a job spec document describes (`kind:`).
    public static let kind = "TrainingJob"
    /// Every `apiVersion` the parser reads (v1 stays readable forever; a later version is converted on read).
    public static let supportedAPIVersions = [apiVersion]
    /// Every `kind` the parser reads.
    public static let supportedKinds = [kind]

    /// Refuses an `apiVersion` or `kind` this parser does not read, naming the supported ones.
    static func checkHeader(apiVersion: String?, kind: String?) throws(SpecError) {
        if let apiVersion, !supportedAPIVersions.contains(apiVersion) {
            throw .spec(
                "apiVersion",
                "unsupported version \"\(apiVersion)\"; this Tessera reads \(supportedAPIVersions.joined(separator: ", ")) (or no apiVersion)")
        }
        if let kind, !supportedKinds.contains(kind) {
            throw .spec("kind", "unsupported kind \"\(kind)\"; expected \(supportedKinds.joined(separator: ", ")) (or no kind)")
        }
    }
}
