import ClusterAPI
import Coordinator
import GRPCCore
import JobSpec
import Tuning

extension CoordinatorService {
    /// Starts a study: the YAML is parsed and validated (every key, errors naming the path), its first trials are
    /// created as PENDING jobs labelled with it. `dry_run` validates only.
    public func submitStudy(request: Tessera_V1_SubmitStudyRequest, context: ServerContext) async throws -> Tessera_V1_SubmitStudyResponse {
        let spec: StudySpec
        do {
            try Self.checkSpecSize(request.specYaml.utf8.count, "spec_yaml")
            spec = try StudySpecParser.parse(yaml: request.specYaml)
        } catch {
            if let error = error as? SpecError, JobSpecLimits.isLimitRefusal(error) { RefusalMetrics.record(.specBounds) }
            throw RPCError(failure: error)
        }
        if request.dryRun {
            let record = StudyRecord(id: StudyID(0), study: Study(spec: spec), submittedAt: Self.now())
            return .with { $0.study = render(record, jobs: [:]) }
        }
        let (record, actions, jobs) = try await withState { state in
            let (record, actions) = try state.submitStudy(spec, now: Self.now())
            return (record, actions, Self.trialJobs(record, in: state))
        }
        await perform(actions)
        return .with { $0.study = render(record, jobs: jobs) }
    }

    /// One study with its trials, best first.
    public func getStudy(request: Tessera_V1_GetStudyRequest, context: ServerContext) async throws -> Tessera_V1_GetStudyResponse {
        let id = try parseStudyID(request.id)
        let (record, jobs) = try readState { state in
            guard let record = state.study(id) else { throw RuntimeFailure(.notFound, "no study \(request.id)") }
            return (record, Self.trialJobs(record, in: state))
        }
        return .with { $0.study = render(record, jobs: jobs) }
    }

    /// Studies, newest first: at most `limit` (0 = 100, at most 1000).
    public func listStudies(request: Tessera_V1_ListStudiesRequest, context: ServerContext) async throws -> Tessera_V1_ListStudiesResponse {
        guard request.limit >= 0, request.limit <= Self.maxStudyPage else {
            throw RPCError(code: .invalidArgument, message: "limit must be in 0…\(Self.maxStudyPage) (0 = \(Self.defaultStudyPage)), got \(request.limit)")
        }
        let limit = request.limit == 0 ? Self.defaultStudyPage : Int(request.limit)
        let (page, total) = try readState { state in
            let (records, total) = state.studyList(limit: limit)
            return (records.map { ($0, Self.trialJobs($0, in: state)) }, total)
        }
        return .with {
            $0.studies = page.map { render($0.0, jobs: $0.1) }
            $0.total = Int32(clamping: total)
        }
    }

    /// Cancels a running study and its running trials' jobs.
    public func cancelStudy(request: Tessera_V1_CancelStudyRequest, context: ServerContext) async throws -> Tessera_V1_CancelStudyResponse {
        let id = try parseStudyID(request.id)
        let (actions, record, jobs) = try await withState { state in
            let actions = try state.cancelStudy(id, now: Self.now())
            let record = state.study(id)
            return (actions, record, record.map { Self.trialJobs($0, in: state) } ?? [:])
        }
        await perform(actions)
        return .with { if let record { $0.study = render(record, jobs: jobs) } }
    }

    /// Forgets a study; its trials' jobs stay.
    public func deleteStudy(request: Tessera_V1_DeleteStudyRequest, context: ServerContext) async throws -> Tessera_V1_DeleteStudyResponse {
        let id = try parseStudyID(request.id)
        let (record, actions, jobs) = try await withState { state in
            let (record, actions) = try state.deleteStudy(id, force: request.force, now: Self.now())
            return (record, actions, Self.trialJobs(record, in: state))
        }
        await perform(actions)
        return .with { $0.study = render(record, jobs: jobs) }
    }

    /// ListStudies' default page.
    static let defaultStudyPage = 100
    /// ListStudies' largest page.
    static let maxStudyPage: Int32 = 1000

    func parseStudyID(_ text: String) throws -> StudyID {
        guard let id = StudyID(parsing: text) else {
            throw RPCError(code: .invalidArgument, message: "'\(String(text.prefix(64)))' is not a study id: expected study-N or N")
        }
        return id
    }

    /// The state and step of each trial's job, by job id text.
    static func trialJobs(_ record: StudyRecord, in state: Coordinator) -> [String: (state: JobState, step: Int)] {
        var out: [String: (state: JobState, step: Int)] = [:]
        for trial in record.study.trials {
            guard let text = trial.jobID, let id = JobID(parsing: text), let job = state.job(id) else { continue }
            out[text] = (job.state, job.step)
        }
        return out
    }

    /// A study as the API reports it: trials best first, with their jobs' states and steps.
    func render(_ record: StudyRecord, jobs: [String: (state: JobState, step: Int)]) -> Tessera_V1_Study {
        let spec = record.study.spec
        return .with {
            $0.id = record.id.rawValue == 0 ? "" : record.id.description
            $0.name = record.name
            $0.state = record.state.rawValue
            $0.reason = record.reason
            $0.goal = spec.goal.rawValue
            $0.metric = spec.metric
            $0.algorithm = spec.algorithm.rawValue
            $0.earlyStopping = Self.describe(spec.earlyStopping)
            $0.maxTrials = Int32(clamping: spec.maxTrials)
            $0.maxParallelTrials = Int32(clamping: spec.maxParallelTrials)
            $0.submittedAt = record.submittedAt
            $0.endedAt = record.endedAt ?? 0
            $0.bestTrial = Int32(clamping: record.study.best?.number ?? 0)
            $0.trialSteps = Int64(clamping: record.trialSteps { jobs[$0]?.step })
            $0.specYaml = spec.sourceYAML
            $0.paramKeys = spec.params.map(\.key)
            $0.trials = record.study.ranked.map { trial in
                .with {
                    $0.number = Int32(clamping: trial.number)
                    $0.state = trial.state.rawValue
                    $0.jobID = trial.jobID ?? ""
                    $0.params = spec.params.compactMap { param in
                        trial.assignment[param.key].map { value in .with { $0.key = param.key; $0.value = value.description } }
                    }
                    if let value = trial.objective(goal: spec.goal) {
                        $0.hasValue_p = true
                        $0.value = value
                    }
                    let job = trial.jobID.flatMap { jobs[$0] }
                    $0.steps = Int64(clamping: job?.step ?? trial.steps)
                    $0.reason = trial.reason ?? ""
                    $0.jobState = job?.state.rawValue ?? ""
                }
            }
        }
    }

    /// The early-stopping rule in words.
    static func describe(_ rule: EarlyStoppingSpec) -> String {
        switch rule {
        case .none: "none"
        case .median(let minSteps, let minTrials): "median (min_steps \(minSteps), min_trials \(minTrials))"
        case .asha(let minSteps, let eta): "asha (min_steps \(minSteps), reduction_factor \(eta))"
        }
    }
}
