import Coordinator
import CoordinatorStore
import Foundation
import TensorWire
import Testing

@Suite("CoordinatorStore")
struct CoordinatorStoreTests {
    static func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "tessera-store-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static let spec: JobSpec = {
        try! JobSpecParser.parse(yaml: """
            name: linear
            model: {type: linear}
            data: {format: synthetic, samples: 64, weights: [2.0], bias: 1.0, batch_size: 8}
            optimizer: {type: sgd, learning_rate: 0.1}
            training: {mode: async}
            """)
    }()

    @Test func anEmptyStoreLoadsNothing() throws {
        let store = try CoordinatorStore(directory: Self.temporaryDirectory())
        #expect(try store.load() == nil)
    }

    @Test func savedStateSurvivesReopening() throws {
        let dir = Self.temporaryDirectory()
        var coordinator = try Coordinator()
        _ = try coordinator.register(NodeInfo(name: "ps-0", role: .ps, address: "127.0.0.1:7070"), now: 1)
        _ = try coordinator.register(NodeInfo(name: "w-0", role: .worker, address: ""), now: 1)
        let job = try coordinator.submit(Self.spec, now: 2)
        let store = try CoordinatorStore(directory: dir)
        try store.save(coordinator.snapshot())
        _ = try coordinator.cancel(job.id, now: 3)
        try store.save(coordinator.snapshot())

        let reopened = try CoordinatorStore(directory: dir)
        let snapshot = try #require(try reopened.load())
        #expect(snapshot == coordinator.snapshot())
        let restored = try Coordinator(restoring: snapshot, now: 10)
        #expect(restored.job(job.id)?.state == .cancelled)
        #expect(restored.nodes().map(\.info.name).sorted() == ["ps-0", "w-0"])
        var next = restored
        #expect(try next.submit(Self.spec, now: 11).id.rawValue == job.id.rawValue + 1)
    }

    @Test func deadNodesAreForgottenAfterTheirTimeExceptShardsJobsStillNeed() throws {
        let dir = Self.temporaryDirectory()
        var config = CoordinatorConfig()
        config.forgetDeadNodesAfter = 60
        var coordinator = try Coordinator(config: config)
        let shard = try coordinator.register(NodeInfo(name: "ps-0", role: .ps, address: "127.0.0.1:7070"), now: 0)
        let worker = try coordinator.register(NodeInfo(name: "w-0", role: .worker, address: ""), now: 0)
        let gone = try coordinator.register(NodeInfo(name: "w-1", role: .worker, address: ""), now: 0)
        // A succeeded job keeps its variables on ps-0 (retained): its shard stays listed however long it is dead.
        let job = try coordinator.submit(Self.spec, now: 1).id
        _ = try coordinator.assignTask(worker: worker.id, now: 1)
        _ = try coordinator.declareVariables(job, from: worker.id, [VariableSpec(name: "w", shape: Shape([1]))])
        _ = try coordinator.placementReady(job, now: 1)
        _ = try coordinator.workerFinished(job, worker: worker.id, final: nil, now: 2)
        #expect(coordinator.job(job)?.state == .succeeded)
        let store = try CoordinatorStore(directory: dir)
        try store.save(coordinator.takeChanges())
        for now in stride(from: 10.0, through: 200, by: 10) {
            _ = try coordinator.heartbeat(worker.id, now: now)
            _ = coordinator.sweep(now: now)
            try store.save(coordinator.takeChanges())
        }
        #expect(coordinator.node(gone.id) == nil, "a worker dead for over a minute is forgotten")
        #expect(coordinator.node(shard.id)?.state == .dead, "a dead shard holding a retained job's variables stays listed")
        let stored = try #require(try CoordinatorStore(directory: dir).load())
        #expect(stored.nodes.map(\.info.name).sorted() == ["ps-0", "w-0"], "the store forgets it too")
        // It comes back under its name as a new node.
        #expect(try coordinator.register(NodeInfo(name: "w-1", role: .worker, address: ""), now: 201).id != gone.id)
    }

    @Test func heartbeatsAloneDoNotRewriteNodes() throws {
        let dir = Self.temporaryDirectory()
        var coordinator = try Coordinator()
        let node = try coordinator.register(NodeInfo(name: "ps-0", role: .ps, address: "127.0.0.1:7070"), now: 1)
        let store = try CoordinatorStore(directory: dir)
        try store.save(coordinator.snapshot())
        let before = try FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int ?? 0
        _ = try coordinator.heartbeat(node.id, now: 2)
        try store.save(coordinator.snapshot())
        let after = try FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int ?? 0
        #expect(before == after)
    }

    @Test func aCorruptFileIsAClearError() throws {
        let dir = Self.temporaryDirectory()
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: dir + "/coordinator.sqlite"))
        #expect {
            _ = try CoordinatorStore(directory: dir)
        } throws: { error in
            "\(error)".contains("coordinator.sqlite")
        }
    }
}
