import ClusterAPI
import Coordinator
import Foundation

/// One TensorBoard event file per job under `<data-dir>/jobs/<id>/tensorboard/`, fed from worker reports.
final class TensorBoardFiles: Sendable {
    private let root: String
    private let writers = LockedValue<[JobID: TensorBoardWriter]>([:])

    init(dataDir: String) { root = dataDir }

    /// The directory of a job's event files.
    func directory(_ id: JobID) -> String { "\(root)/jobs/\(id)/tensorboard" }

    /// Writes a progress report's scalars (train loss/accuracy, eval loss/accuracy/AUC, steps/s, stale drops).
    func record(_ id: JobID, report: Tessera_V1_ReportProgressRequest, step: Int64, effectiveReplicas: Int?) {
        var values: [(tag: String, value: Double)] = []
        if report.hasTrain {
            values.append(("train/loss", report.train.loss))
            if report.train.hasAccuracy { values.append(("train/accuracy", report.train.accuracy)) }
        }
        if report.hasEval {
            values.append(("eval/loss", report.eval.loss))
            if report.eval.hasAccuracy { values.append(("eval/accuracy", report.eval.accuracy)) }
            if report.eval.hasAuc { values.append(("eval/auc", report.eval.auc)) }
        }
        if report.stepsPerSecond > 0 { values.append(("worker/steps_per_second", report.stepsPerSecond)) }
        values.append(("worker/stale_dropped", Double(report.staleDropped)))
        if let effectiveReplicas { values.append(("job/effective_replicas", Double(effectiveReplicas))) }
        guard let writer = writer(id) else { return }
        try? writer.scalars(values, step: step)
    }

    /// Closes a finished job's file.
    func close(_ id: JobID) {
        writers.withLock { _ = $0.removeValue(forKey: id) }
    }

    private func writer(_ id: JobID) -> TensorBoardWriter? {
        writers.withLock { writers in
            if let existing = writers[id] { return existing }
            guard let created = try? TensorBoardWriter(directory: directory(id)) else { return nil }
            writers[id] = created
            return created
        }
    }
}
