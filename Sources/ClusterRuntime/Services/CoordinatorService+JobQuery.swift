import Coordinator

/// A ListJobs request checked: how many jobs at most and which state (RECOVERING is a running job whose shards are
/// being restored).
struct JobQuery: Sendable {
    /// Jobs in a page when the request asks for 0.
    static let defaultPage = 100
    /// The most jobs one page holds (a larger `limit` is cut to this).
    static let maxPage = 1000

    /// Jobs in the page.
    let limit: Int
    /// Only jobs in this state; nil for all.
    let state: JobState?
    /// Only running jobs that are recovering.
    let recovering: Bool

    /// Checks `limit` (0 = default, negative refused, over `maxPage` cut) and `state` ("" = all, any case).
    init(limit: Int32, state: String) throws(RuntimeFailure) {
        guard limit >= 0 else { throw RuntimeFailure(.invalidArgument, "limit must be ≥ 0 (0 = the default page of \(Self.defaultPage)), got \(limit)") }
        self.limit = limit == 0 ? Self.defaultPage : min(Int(limit), Self.maxPage)
        let text = state.uppercased()
        if text.isEmpty {
            self.state = nil
            recovering = false
        } else if text == "RECOVERING" {
            self.state = .running
            recovering = true
        } else if let parsed = JobState(rawValue: text) {
            self.state = parsed
            recovering = false
        } else {
            let names = (JobState.allCases.map(\.rawValue) + ["RECOVERING"]).map { $0.lowercased() }
            throw RuntimeFailure(.invalidArgument, "unknown job state \"\(state)\"; expected one of \(names.joined(separator: ", "))")
        }
    }

    /// The page (newest first) and how many jobs matched in all.
    func run(on coordinator: Coordinator) -> (jobs: [JobRecord], total: Int) {
        guard recovering else { return coordinator.jobs(state: state, limit: limit) }
        let matching = coordinator.activeJobs().filter { $0.state == .running && $0.recovering != nil }.reversed()
        return (Array(matching.prefix(limit)), matching.count)
    }
}
