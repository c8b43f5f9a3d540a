import ClusterAPI
import ClusterPresentation
import ClusterRuntime
import Foundation

/// Polls a job and draws its progress until it ends: redrawn in place on a terminal, one line per change when piped.
struct JobFollower {
    let client: CoordinatorClient
    let jobID: String
    let output: OutputOptions

    func follow() async throws -> Tessera_V1_Job {
        let quiet = output.format.isMachineReadable
        let tty = isatty(STDOUT_FILENO) == 1 && !quiet
        var lastLine = ""
        var failures = 0
        while true {
            let job: Tessera_V1_Job
            do {
                job = try await client.job(jobID)
                failures = 0
            } catch let failure as RuntimeFailure where failure.code == .unavailable || failure.code == .deadlineExceeded {
                failures += 1
                if failures > 30 { throw failure }
                try await Task.sleep(for: .seconds(1))
                continue
            }
            let line = progressLine(job)
            if line != lastLine && !quiet {
                if tty {
                    print("\r\u{1B}[2K" + line, terminator: "")
                } else {
                    print(line)
                }
                fflush(nil)
                lastLine = line
            }
            if job.state.isFinal {
                if tty { print("") }
                output.show(JobSummary(job)) { finalLine(job) }
                return job
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    private func progressLine(_ job: Tessera_V1_Job) -> String {
        var parts = ["\(job.id)", job.state.displayName, "step \(JobPresentation.stepText(job))"]
        if job.totalSteps > 0 {
            let fraction = max(0, min(1, Double(job.step) / Double(job.totalSteps)))
            let width = 24
            let filled = Int(fraction * Double(width))
            parts.append("[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(Int(fraction * 100))%")
        }
        if let m = JobPresentation.latestMetrics(job) {
            parts.append("loss \(JobPresentation.format(m.loss))")
            if m.hasAccuracy { parts.append("accuracy \(JobPresentation.format(m.accuracy))") }
        }
        if job.stepsPerSecond > 0 {
            parts.append(String(format: "%.1f steps/s", job.stepsPerSecond))
            if job.totalSteps > job.step, job.state == .running {
                parts.append("ETA " + Self.duration((Double(job.totalSteps) - Double(job.step)) / job.stepsPerSecond))
            }
        }
        return parts.joined(separator: "  ")
    }

    /// "42s", "3m05s", "1h02m".
    static func duration(_ seconds: Double) -> String {
        let s = JobPresentation.truncated(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }

    private func finalLine(_ job: Tessera_V1_Job) -> String {
        var text = "\(job.id) \(job.state.displayName)"
        if !job.reason.isEmpty { text += ": \(job.reason)" }
        if job.hasEvalMetrics {
            text += "\nheld-out: " + JobPresentation.metricsText(job.evalMetrics)
            if job.evalMetrics.hasAuc { text += String(format: "  auc %.4f", job.evalMetrics.auc) }
            text += "  (\(job.evalMetrics.count) examples)"
        }
        return text
    }
}
