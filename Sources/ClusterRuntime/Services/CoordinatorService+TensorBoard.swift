import Coordinator
import Foundation

/// One TensorBoard event file per job under `<data-dir>/jobs/<id>/tensorboard/`, fed from worker reports.
final class TensorBoardFiles: Sendable {
    private let root: String
    private let writers = LockedValue<[JobID: TensorBoardWriter]>([:])

    init(dataDir: String) { root = dataDir }

    /// The directory of a job's event files.
    func directory(_ id: JobID) -> String { "\(root)/jobs/\(id)/tensorboard" }

    /// Appends scalars at a job step (a file that cannot be written is skipped: TensorBoard is best effort).
    func write(_ id: JobID, step: Int, scalars: [SummaryScalar]) {
        guard !scalars.isEmpty, let writer = writer(id) else { return }
        try? writer.scalars(scalars.map { (tag: $0.tag, value: $0.value) }, step: Int64(step))
    }

    /// Writes the HParams session start of a new job: its hyperparameters from the spec (best effort, like scalars).
    func start(_ job: JobRecord, group: String = "") {
        guard let writer = writer(job.id) else { return }
        try? writer.sessionStart(job.spec.tensorBoardHParams, group: group, time: job.submittedAt)
    }

    /// Writes the HParams session end of a job that reached a terminal state.
    func end(_ id: JobID, state: JobState) {
        guard let writer = writer(id) else { return }
        try? writer.sessionEnd(TensorBoardSessionStatus(state))
    }

    /// Closes a deleted job's file.
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
