import Coordinator
import Foundation
import Testing
import Tuning

@testable import CoordinatorStore

/// Studies in the coordinator's SQLite store: written with the change that made them, loaded after a restart.
@Suite struct StudyStoreTests {
    static let study = """
        kind: Study
        name: lr
        model: {type: linear}
        data: {format: synthetic, weights: [2], bias: 10}
        training: {mode: async, max_steps: 100, eval_every_steps: 10}
        cluster: {workers: 1, ps_shards: 1}
        tuning:
          goal: maximize
          metric: accuracy
          max_trials: 4
          max_parallel_trials: 2
          algorithm: random
          seed: 3
          params:
            - {key: optimizer.learning_rate, type: double, min: 0.0001, max: 0.1, scale: log}
        """

    @Test func aStudyAndItsTrialJobsComeBackAfterARestart() throws {
        let dir = CoordinatorStoreTests.temporaryDirectory()
        var coordinator = try Coordinator()
        _ = try coordinator.register(NodeInfo(name: "ps-0", role: .ps, address: "127.0.0.1:7070"), now: 1)
        let (record, _) = try coordinator.submitStudy(try StudySpecParser.parse(yaml: Self.study), now: 2)
        let store = try CoordinatorStore(directory: dir)
        try store.save(coordinator.takeChanges())

        let snapshot = try #require(try CoordinatorStore(directory: dir).load())
        #expect(snapshot.studies == [record])
        #expect(snapshot.nextStudyID == 2)
        #expect(snapshot.jobs.compactMap(\.study) == [TrialRef(study: record.id, trial: 1), TrialRef(study: record.id, trial: 2)])
        let restored = try Coordinator(restoring: snapshot, now: 3)
        #expect(restored.study(record.id)?.study.trials.map(\.assignment) == record.study.trials.map(\.assignment))

        // Deleting it deletes its row (and only it).
        var again = restored
        _ = try again.deleteStudy(record.id, force: true, now: 4)
        try store.save(again.takeChanges())
        let after = try #require(try CoordinatorStore(directory: dir).load())
        #expect(after.studies.isEmpty && after.nextStudyID == 2 && after.jobs.count == 2)
    }

    @Test func aDamagedStudyRowIsLeftOutAndItsNumberIsNotReused() throws {
        let dir = CoordinatorStoreTests.temporaryDirectory()
        var coordinator = try Coordinator()
        _ = try coordinator.register(NodeInfo(name: "ps-0", role: .ps, address: "127.0.0.1:7070"), now: 1)
        _ = try coordinator.submitStudy(try StudySpecParser.parse(yaml: Self.study), now: 2)
        let store = try CoordinatorStore(directory: dir)
        try store.save(coordinator.takeChanges())
        // A stored study past its bounds (max_trials 0) and a torn row: neither stops the coordinator.
        let text = try #require(try store.database.query("SELECT record FROM studies WHERE id = 1").first?.first?.text)
        try store.database.execute("UPDATE studies SET record = '\(text.replacingOccurrences(of: "max_trials: 4", with: "max_trials: 0").replacingOccurrences(of: "'", with: "''"))' WHERE id = 1")
        try store.database.execute("INSERT INTO studies (id, state, record) VALUES (7, 'RUNNING', '{\"id\": 7, ')")
        try store.database.execute("DELETE FROM meta WHERE key = 'next_study_id'")
        // Row ids a hand-edited or damaged store may hold: zero, negative, Int64.max — skipped, never trapped on.
        for id in ["0", "-5", "9223372036854775807"] {
            try store.database.execute("INSERT INTO studies (id, state, record) VALUES (\(id), 'RUNNING', '{\"id\": 1}')")
        }

        let snapshot = try #require(try CoordinatorStore(directory: dir).load())
        #expect(snapshot.studies.isEmpty)
        #expect(snapshot.nextStudyID == 9_223_372_036_854_775_807)  // past every stored row; the next submit is refused, not wrapped
        #expect(snapshot.jobs.count == 2)  // the trial jobs stay, as jobs
    }
}
