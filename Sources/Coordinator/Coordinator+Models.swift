extension Coordinator {
    /// Model type names the cluster's workers advertise (any state), sorted and without duplicates.
    public func registeredModelTypes() -> [String] {
        Set(membership.nodes().filter { $0.info.role == .worker }.flatMap(\.info.models)).sorted()
    }

    /// Accepts a built-in model type, or one that at least one known worker (any state) advertises; otherwise an
    /// `.invalidSpec` error at `model.type` naming the type, the built-in names and the registered names.
    public func checkModelType(_ spec: JobSpec) throws(CoordinatorError) {
        let type = spec.model.type
        guard !type.isBuiltIn else { return }
        let registered = registeredModelTypes()
        guard !registered.contains(type.rawValue) else { return }
        let builtIn = ModelType.builtIn.map(\.rawValue)
        var message = "model type \"\(type.rawValue)\" is neither built in (\(builtIn.joined(separator: ", "))) "
            + "nor registered by a worker of this cluster (registered: \(registered.isEmpty ? "none" : registered.joined(separator: ", ")))"
        if let hint = closestMatch(to: type.rawValue, in: builtIn + registered) { message += "; did you mean \"\(hint)\"?" }
        message += "; start workers that call ModelRegistry.register(name: \"\(type.rawValue)\") before they register"
        throw CoordinatorError(.invalidSpec, message, path: "model.type")
    }

    /// Whether a worker can build a job's model: every worker builds the built-in families, registered ones only
    /// the workers that advertise them.
    func canBuild(_ worker: NodeRecord, _ spec: JobSpec) -> Bool {
        spec.model.type.isBuiltIn || worker.info.models.contains(spec.model.type.rawValue)
    }
}

extension Membership {
    /// Checks the model names a node advertises and returns them sorted without duplicates.
    static func normalizedModels(_ info: NodeInfo) throws(CoordinatorError) -> [String] {
        if let bad = info.models.first(where: { ModelType(rawValue: $0) == nil }) {
            throw CoordinatorError(
                .invalidNode, "node \"\(info.name)\" advertises model type \"\(bad)\", which is not a model type name ([a-z][a-z0-9_]*)")
        }
        return Set(info.models).sorted()
    }
}
