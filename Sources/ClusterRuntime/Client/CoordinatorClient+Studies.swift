import ClusterAPI

extension CoordinatorClient {
    /// Submits a study written in YAML (a job spec plus `tuning:`); `dryRun` validates it on the coordinator only.
    public func submitStudy(yaml: String, dryRun: Bool = false) async throws -> Tessera_V1_Study {
        try await call("submit the study") {
            try await stub.submitStudy(.with { $0.specYaml = yaml; $0.dryRun = dryRun }, options: $0).study
        }
    }

    /// Fetches one study with its trials, best first.
    public func study(_ id: String) async throws -> Tessera_V1_Study {
        try await call("get study \(id)") { try await stub.getStudy(.with { $0.id = id }, options: $0).study }
    }

    /// Lists studies, newest first (`limit` 0: the coordinator's page of 100).
    public func studies(limit: Int32 = 0) async throws -> Tessera_V1_ListStudiesResponse {
        try await call("list studies") { try await stub.listStudies(.with { $0.limit = limit }, options: $0) }
    }

    /// Cancels a running study: its running trials' jobs are cancelled, pending ones never start.
    public func cancelStudy(_ id: String) async throws -> Tessera_V1_Study {
        try await call("cancel study \(id)") { try await stub.cancelStudy(.with { $0.id = id }, options: $0).study }
    }

    /// Forgets a study (a running one only with `force`); its trials' jobs stay.
    public func deleteStudy(_ id: String, force: Bool = false) async throws -> Tessera_V1_Study {
        try await call("delete study \(id)") { try await stub.deleteStudy(.with { $0.id = id; $0.force = force }, options: $0).study }
    }
}
