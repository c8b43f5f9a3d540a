import ArgumentParser
import ClusterAPI
import ClusterPresentation
import ClusterRuntime
import Foundation

extension WaitCondition: ExpressibleByArgument {}

/// `clusterctl wait JOB --for succeeded|ended|running [--timeout 10m]`: block until a job meets a condition.
struct Wait: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Wait until a job succeeded, ended or runs; the exit code says how the wait ended.",
        discussion: """
            Polls the job twice a second and prints it (as -o asks) when the wait ends. Exit codes: \
            0 the condition was met; 1 the job FAILED (for --for running: it ended without being seen RUNNING); \
            2 the job was CANCELLED; 3 the coordinator could not be reached (at the first call, or for 30 s after); \
            4 --timeout passed first; 5 any other error (no such job, refused credentials, a bad config file); \
            64 a usage error. --timeout 0 checks once. Here --timeout is the whole wait (each call has a 10 s deadline).
            """)

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var output: OutputOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    @Option(name: .customLong("for"), help: ArgumentHelp("The condition: succeeded, ended (succeeded, failed or cancelled) or running.", valueName: "condition"))
    var condition: WaitCondition

    @Option(name: .long, help: "Give up after this long: 90, 30s, 10m, 1h30m (at most 720h; default 30m).")
    var timeout: String = "30m"

    /// Seconds of unreachable coordinator after a first answer before giving up (exit 3).
    static let unreachableGrace: Duration = .seconds(30)
    /// Deadline of each call.
    static let callTimeout: Duration = .seconds(10)

    func validate() throws {
        do {
            _ = try DurationText.seconds(timeout)
        } catch {
            throw ValidationError("--timeout: \(error.description)")
        }
    }

    func run() async throws {
        let seconds = (try? DurationText.seconds(timeout)) ?? 0
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64((seconds * 1000).rounded()))
        let client: CoordinatorClient
        do {
            client = try connection.client(timeout: Self.callTimeout)
        } catch {
            reportFailure(error)
            throw ExitCode(WaitExit.otherError.rawValue)
        }
        defer { client.close() }
        var answered = false
        var unreachableSince: ContinuousClock.Instant?
        var last: Tessera_V1_Job?
        while true {
            do {
                guard let job = try await fetch(client, within: answered ? deadline - clock.now : Self.callTimeout) else { break }
                answered = true
                unreachableSince = nil
                last = job
                switch condition.outcome(job.state) {
                case .met:
                    output.show(JobSummary(job)) { "\(job.id) \(job.state.displayName)" }
                    return
                case .endedOtherwise(let code):
                    output.show(JobSummary(job)) { "\(job.id) \(job.state.displayName)" }
                    let reason = job.reason.isEmpty ? "" : ": \(job.reason)"
                    reportFailure(RuntimeFailure(.failedPrecondition, "\(job.id) \(job.state.displayName)\(reason) (waited for \(condition.rawValue))"))
                    throw ExitCode(code.rawValue)
                case .notYet:
                    break
                }
            } catch let failure as RuntimeFailure where failure.code == .unavailable || failure.code == .deadlineExceeded {
                let since = unreachableSince ?? clock.now
                unreachableSince = since
                if !answered || clock.now - since >= Self.unreachableGrace {
                    reportFailure(failure)
                    throw ExitCode(WaitExit.unreachable.rawValue)
                }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                reportFailure(error)
                throw ExitCode(WaitExit.otherError.rawValue)
            }
            let remaining = deadline - clock.now
            if remaining <= .zero { break }
            try await Task.sleep(for: min(remaining, .milliseconds(500)))
        }
        let state = last.map { " (it is \($0.state.displayName), step \(JobPresentation.stepText($0)))" } ?? ""
        reportFailure(RuntimeFailure(.deadlineExceeded, "timed out after \(timeout) waiting for \(job) to be \(condition.rawValue)\(state)"))
        throw ExitCode(WaitExit.timeout.rawValue)
    }

    /// The job, or nil when `within` passed first.
    private func fetch(_ client: CoordinatorClient, within: Duration) async throws -> Tessera_V1_Job? {
        guard within > .zero else { return nil }
        let id = job
        return try await withThrowingTaskGroup(of: Tessera_V1_Job?.self) { group in
            group.addTask { try await client.job(id) }
            group.addTask {
                try await Task.sleep(for: within)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }
}
