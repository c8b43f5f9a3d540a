import ClusterAPI
import Foundation

/// How clusterctl shows studies: the `studies` table, `describe study-N`, and `tune --follow`'s event lines.
public enum StudyPresentation {
    /// `clusterctl studies`: one row per study.
    public static func studiesTable(_ studies: [Tessera_V1_Study]) -> TableRenderer {
        TableRenderer(
            header: ["ID", "NAME", "STATE", "TRIALS", "BEST", "TRIAL-STEPS", "AGE"],
            rows: studies.map { s in
                [
                    s.id, s.name, s.state, "\(s.trials.count)/\(s.maxTrials)", bestText(s) ?? "-", String(s.trialSteps),
                    JobPresentation.ageText(since: s.submittedAt),
                ]
            })
    }

    /// `clusterctl describe study-N`: the study, then its trials best first with their parameters.
    public static func render(_ s: Tessera_V1_Study) -> String {
        var lines = [
            "Study:          \(s.id.isEmpty ? "(dry run: valid)" : s.id)  \(s.name)",
            "State:          \(s.state)" + (s.reason.isEmpty ? "" : "  (\(s.reason))"),
            "Goal:           \(s.goal) \(s.metric)",
            "Search:         \(s.algorithm), early stopping \(s.earlyStopping)",
            "Trials:         \(s.trials.count) of \(s.maxTrials) (\(s.maxParallelTrials) at once), \(s.trialSteps) trial-steps",
        ]
        if let best = bestText(s) { lines.append("Best:           \(best)") }
        guard !s.trials.isEmpty else { return lines.joined(separator: "\n") }
        lines.append("")
        lines.append(trialsTable(s).render())
        if s.bestTrial > 0, !s.id.isEmpty {
            lines.append("")
            lines.append("Export the best trial: clusterctl export \(s.id) --out best.safetensors")
        }
        return lines.joined(separator: "\n")
    }

    /// The trials, best first: rank, number, job, state, metric, steps, one column per tuned key, reason.
    public static func trialsTable(_ s: Tessera_V1_Study) -> TableRenderer {
        TableRenderer(
            header: ["RANK", "TRIAL", "JOB", "STATE", s.metric.uppercased(), "STEPS"] + s.paramKeys + ["REASON"],
            rows: s.trials.enumerated().map { i, t in
                let values = Dictionary(t.params.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
                return [
                    t.hasValue_p ? String(i + 1) : "-", String(t.number), t.jobID.isEmpty ? "-" : t.jobID, t.state,
                    t.hasValue_p ? JobPresentation.format(t.value) : "-", String(t.steps),
                ] + s.paramKeys.map { values[$0].map(shortValue) ?? "-" } + [t.reason.isEmpty ? "-" : String(t.reason.prefix(120))]
            })
    }

    /// A tuned value for people: a number with a fraction to 4 significant digits (`0.0001251`), anything else as it
    /// is (the JSON output keeps the exact value written into the trial's spec).
    public static func shortValue(_ text: String) -> String {
        guard text.contains(".") || text.contains("e"), let number = Double(text), number.isFinite else { return text }
        return String(format: "%.4g", number)
    }

    /// "trial 4 (job-12) accuracy 0.9712", nil before a trial succeeded.
    public static func bestText(_ s: Tessera_V1_Study) -> String? {
        guard s.bestTrial > 0, let t = s.trials.first(where: { $0.number == s.bestTrial }), t.hasValue_p else { return nil }
        return "trial \(t.number) (\(t.jobID)) \(s.metric) \(JobPresentation.format(t.value))"
    }

    /// `tune --follow`: one line per trial whose state changed since `previous` (nil: the first poll).
    public static func events(from previous: Tessera_V1_Study?, to current: Tessera_V1_Study) -> [String] {
        let before = Dictionary((previous?.trials ?? []).map { ($0.number, $0.state) }, uniquingKeysWith: { a, _ in a })
        return current.trials.sorted { $0.number < $1.number }.compactMap { t in
            guard before[t.number] != t.state else { return nil }
            let params = t.params.map { "\($0.key)=\(shortValue($0.value))" }.joined(separator: " ")
            let value = t.hasValue_p ? " \(current.metric) \(JobPresentation.format(t.value))" : ""
            let job = t.jobID.isEmpty ? "" : " (\(t.jobID))"
            switch t.state {
            case "running", "pending": return "trial \(t.number)\(job) \(t.state): \(params)"
            case "succeeded": return "trial \(t.number)\(job) succeeded at step \(t.steps):\(value)"
            default: return "trial \(t.number)\(job) \(t.state) at step \(t.steps):\(value)\(t.reason.isEmpty ? "" : " — \(t.reason)")"
            }
        }
    }
}
