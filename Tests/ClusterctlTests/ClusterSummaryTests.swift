import ClusterAPI
import ClusterPresentation
import ClusterRuntime
import Foundation
import Testing

/// `--json` of nodes, status, pull, export and checkpoint: the same texts as before, and they read back.
struct ClusterSummaryTests {
    @Test func nodesPrintWithoutHealth() throws {
        let nodes = Fixtures.nodes.map { NodeSummary($0) }
        #expect(JSONText.render(nodes) == ExpectedClusterJSON.nodes)
        #expect(try JSONDecoder().decode([NodeSummary].self, from: Data(ExpectedClusterJSON.nodes.utf8)) == nodes)
    }

    @Test func statusAddsEachNodesHealthAndTheUnhealthyCount() throws {
        let probes: [UInt64: HealthProbe.Result] = [1: .unreachable("127.0.0.1:7070 refused the connection")]
        let summary = ClusterSummary(Fixtures.status, probes: probes)
        #expect(JSONText.render(summary) == ExpectedClusterJSON.status)
        #expect(summary.unhealthyNodes == 2)
        #expect(try JSONDecoder().decode(ClusterSummary.self, from: Data(ExpectedClusterJSON.status.utf8)) == summary)
    }

    @Test func pulledValuesPrintAsDoublesAndNonFiniteAsNull() throws {
        var variables = Fixtures.variables
        variables[0].values += [.nan, .infinity, 1e-8, 3.4e38]
        #expect(JSONText.render(variables.map(VariableValues.init)) == ExpectedClusterJSON.pull)
        let read = try JSONDecoder().decode([VariableValues].self, from: Data(ExpectedClusterJSON.pull.utf8))
        #expect(read == variables.map(VariableValues.init))
        #expect(read[0].values[2].isNaN && read[0].values[3].isNaN)
    }

    @Test func exportListsNamesAndShapes() {
        let summary = ExportSummary(file: "/tmp/m.safetensors", job: "job-7", variables: Fixtures.variables)
        #expect(JSONText.render(summary) == ExpectedClusterJSON.export)
    }

    @Test func aCheckpointNamesTheJobAsTheUserWroteIt() {
        let answer = Tessera_V1_CheckpointJobResponse.with { $0.version = 100; $0.manifest = "/d/manifest-100.json"; $0.files = 2; $0.bytes = 4096 }
        #expect(JSONText.render(CheckpointSummary(job: "7", answer)) == ExpectedClusterJSON.checkpoint)
    }
}
