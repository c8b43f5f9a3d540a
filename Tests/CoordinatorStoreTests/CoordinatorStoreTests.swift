import Coordinator
import CoordinatorStore
import Foundation
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
