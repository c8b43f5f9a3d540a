import ClusterRuntime
import Foundation
import Testing
import Yams

/// The Kubernetes manifests cannot be applied here (no cluster); this checks what can be checked
/// offline: every document parses as YAML, names its kind, and the embedded daemon configs decode.
struct ConfigKubernetesTests {
    let dir = packageRoot().appendingPathComponent("deploy/kubernetes")

    func documents() throws -> [(file: String, object: [String: Any])] {
        var all: [(String, [String: Any])] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() where file.hasSuffix(".yaml") {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            for document in try Yams.load_all(yaml: text) {
                let object = try #require(document as? [String: Any], "\(file): a document is not a mapping")
                all.append((file, object))
            }
        }
        return all
    }

    @Test func everyManifestParsesAndNamesItsKind() throws {
        let docs = try documents()
        var kinds: [String: Int] = [:]
        for (file, object) in docs where file != "kustomization.yaml" {
            let kind = try #require(object["kind"] as? String, "\(file): no kind")
            #expect(object["apiVersion"] is String, "\(file): no apiVersion")
            let metadata = try #require(object["metadata"] as? [String: Any], "\(file): no metadata")
            #expect(metadata["name"] is String, "\(file) \(kind): no name")
            kinds[kind, default: 0] += 1
        }
        #expect(kinds["StatefulSet"] == 1 && kinds["Deployment"] == 1 && kinds["ConfigMap"] == 1)
        #expect(kinds["Service"] == 2)
        let statefulSet = try #require(docs.first { $0.object["kind"] as? String == "StatefulSet" }?.object)
        #expect(statefulSet["metadata"].flatMap { ($0 as? [String: Any])?["name"] as? String } == "ps")
        let spec = try #require(statefulSet["spec"] as? [String: Any])
        #expect(spec["serviceName"] as? String == "tessera-ps")
        let kustomization = try #require(docs.first { $0.file == "kustomization.yaml" }?.object["resources"] as? [String])
        let files = Set(docs.map(\.file)).subtracting(["kustomization.yaml"])
        #expect(Set(kustomization) == files, "kustomization.yaml lists \(kustomization), the folder has \(files)")
    }

    @Test func configMapSettingsDecode() throws {
        let map = try #require(try documents().first { $0.object["kind"] as? String == "ConfigMap" }?.object["data"] as? [String: String])
        let tmp = try temporaryDirectory("k8s")
        let psd = tmp.appendingPathComponent("psd.yaml").path
        try #require(map["psd.yaml"]).write(toFile: psd, atomically: true, encoding: .utf8)
        let ps = try LayeredConfig.load(ParameterServerSettings.self, file: psd, environment: [:], flags: ["coordinator_self": "true"])
        #expect(ps.listen == "0.0.0.0:7070" && ps.metricsListen == "0.0.0.0:9470")
        let workerd = tmp.appendingPathComponent("workerd.yaml").path
        try #require(map["workerd.yaml"]).write(toFile: workerd, atomically: true, encoding: .utf8)
        let worker = try LayeredConfig.load(WorkerSettings.self, file: workerd, environment: ["TESSERA_NAME": "workerd-abc"], flags: [:])
        #expect(worker.coordinator == "ps-0.tessera-ps.tessera.svc.cluster.local:7070" && worker.name == "workerd-abc")
    }
}
