import Foundation
import Testing

@testable import Coordinator

/// User models: `model.type` names beyond the built-ins parse, are accepted only when a worker advertises them, and
/// their tasks go only to advertising workers.
@Suite struct CustomModelTypeTests {
    /// A cluster of 2 ps nodes, one plain worker and one advertising `two_tower`.
    static func cluster() throws -> (TestCluster, plain: NodeID, custom: NodeID) {
        var t = try TestCluster(ps: 2, workers: 1)
        let custom = try t.c.register(NodeInfo(name: "w-custom", role: .worker, address: "", models: ["two_tower"]), now: 0).id
        t.workers.append(custom)
        return (t, t.workers[0], custom)
    }

    static func spec(_ type: String, workers: Int = 1) throws -> JobSpec {
        try JobSpecParser.parse(yaml: specYAML(model: "{type: \(type)}", cluster: "{workers: \(workers), ps_shards: 2}"))
    }

    @Test func builtInNamesAreStaticMembers() {
        #expect(ModelType.builtIn.map(\.rawValue) == ["linear", "logistic", "softmax", "mlp", "cnn", "wide_deep"])
        #expect(ModelType(rawValue: "wide_deep") == .wideDeep && ModelType.wideDeep.isBuiltIn)
        #expect(ModelType(rawValue: "two_tower")?.isBuiltIn == false)
    }

    @Test(arguments: ["two_tower", "m", "resnet50", "a_b_c_1"])
    func registeredNamesParse(_ name: String) throws {
        let spec = try Self.spec(name)
        #expect(spec.model.type.rawValue == name)
        #expect(spec.model.hidden.isEmpty)
        #expect(try JobSpecParser.parse(yaml: spec.yaml) == spec)
    }

    @Test func aRegisteredModelMayReadHiddenWidths() throws {
        let spec = try JobSpecParser.parse(yaml: specYAML(model: "{type: two_tower, hidden: [16]}"))
        #expect(spec.model.hidden == [16])
        #expect(try JobSpecParser.parse(yaml: spec.yaml) == spec)
    }

    @Test(arguments: ["Two_Tower", "two-tower", "2tower", "_x", "two tower", String(repeating: "a", count: 65)])
    func otherNamesAreRejectedWithASentence(_ name: String) throws {
        let error = #expect(throws: SpecError.self) { try JobSpecParser.parse(yaml: specYAML(model: "{type: \"\(name)\"}")) }
        #expect(error?.path == "model.type")
        #expect(error?.message.hasPrefix("\"\(name)\" is not a model type name") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("linear, logistic, softmax, mlp, cnn, wide_deep") == true)
    }

    @Test func typeSpecificSettingsStayWithTheBuiltIns() throws {
        let error = #expect(throws: SpecError.self) {
            try JobSpecParser.parse(yaml: specYAML(model: "{type: two_tower, cnn: {filters: [4]}}"))
        }
        #expect(error?.path == "model.cnn")
    }

    @Test func codableIsAPlainStringAndOldNodeRecordsDecode() throws {
        let encoded = try JSONEncoder().encode(ModelSpec(type: ModelType(rawValue: "two_tower")!))
        #expect(String(decoding: encoded, as: UTF8.self).contains("\"type\":\"two_tower\""))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ModelType.self, from: Data("\"Bad-Name\"".utf8)) }
        let old = #"{"name":"w","role":"worker","address":"","device":"cpu","threads":1,"version":"1"}"#
        let info = try JSONDecoder().decode(NodeInfo.self, from: Data(old.utf8))
        #expect(info.models.isEmpty && info.name == "w")
        let new = NodeInfo(name: "w", role: .worker, address: "", models: ["two_tower"])
        #expect(try JSONDecoder().decode(NodeInfo.self, from: JSONEncoder().encode(new)) == new)
    }

    @Test func submitNamesTheTypeTheBuiltInsAndTheRegisteredOnes() throws {
        var (t, _, _) = try Self.cluster()
        let error = #expect(throws: CoordinatorError.self) { try t.c.submit(try Self.spec("three_tower"), now: 1) }
        #expect(error?.code == .invalidSpec && error?.path == "model.type")
        #expect(error?.message == "model type \"three_tower\" is neither built in (linear, logistic, softmax, mlp, cnn, wide_deep) "
            + "nor registered by a worker of this cluster (registered: two_tower); "
            + "start workers that call ModelRegistry.register(name: \"three_tower\") before they register")
        #expect(t.c.jobs().isEmpty)
        let typo = #expect(throws: CoordinatorError.self) { try t.c.submit(try Self.spec("two_towr"), now: 1) }
        #expect(typo?.message.contains("did you mean \"two_tower\"?") == true)
    }

    @Test func submitWithoutRegisteredModelsSaysNone() throws {
        var t = try TestCluster(ps: 1, workers: 1)
        let error = #expect(throws: CoordinatorError.self) { try t.c.submit(try Self.spec("two_tower"), now: 1) }
        #expect(error?.message.contains("(registered: none)") == true)
    }

    @Test func anAdvertisingWorkerInAnyStateAdmitsTheJob() throws {
        var (t, plain, custom) = try Self.cluster()
        _ = t.c.sweep(now: 100)  // everyone dead
        #expect(t.c.node(custom)?.state == .dead)
        #expect(t.c.registeredModelTypes() == ["two_tower"])
        _ = try t.c.submit(try Self.spec("two_tower"), now: 101)
        _ = plain
    }

    @Test func tasksGoOnlyToWorkersThatAdvertiseTheType() throws {
        var (t, plain, custom) = try Self.cluster()
        let customJob = try t.c.submit(try Self.spec("two_tower"), now: 1).id
        let builtInJob = try t.c.submit(try Self.spec("linear"), now: 1).id
        // The plain worker skips the older two_tower job and takes the linear one.
        #expect(try t.c.assignTask(worker: plain, now: 2)?.jobID == builtInJob)
        #expect(try t.c.assignTask(worker: custom, now: 2)?.jobID == customJob)
    }

    @Test func aPlainWorkerWaitsWhenOnlyRegisteredJobsArePending() throws {
        var (t, plain, custom) = try Self.cluster()
        let id = try t.c.submit(try Self.spec("two_tower", workers: 2), now: 1).id
        #expect(try t.c.assignTask(worker: plain, now: 2) == nil)
        #expect(try t.c.assignTask(worker: custom, now: 2)?.jobID == id)
        #expect(t.c.job(id)?.workers.map(\.node) == [custom, nil])
    }

    @Test func advertisedNamesAreCheckedAndNormalised() throws {
        var t = try TestCluster(ps: 1, workers: 0)
        let record = try t.c.register(NodeInfo(name: "w", role: .worker, address: "", models: ["b", "a", "b"]), now: 0)
        #expect(record.info.models == ["a", "b"])
        let error = #expect(throws: CoordinatorError.self) {
            try t.c.register(NodeInfo(name: "w2", role: .worker, address: "", models: ["Bad-Name"]), now: 0)
        }
        #expect(error?.code == .invalidNode)
    }
}
