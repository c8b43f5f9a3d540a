import ClusterAPI
import Foundation
import GRPCCore
import Logging
import Testing

@testable import ClusterRuntime

/// SubmitJob bounds both of its branches — the YAML text and the protobuf spec — before parsing anything.
@Suite struct SubmitSizeLimitTests {
    func submit(_ service: CoordinatorService, _ request: Tessera_V1_SubmitJobRequest) async throws -> Tessera_V1_SubmitJobResponse {
        try await withServerContextRPCCancellationHandle { handle in
            let context = ServerContext(
                descriptor: Tessera_V1_Coordinator.Method.SubmitJob.descriptor, remotePeer: "test", localPeer: "test", cancellation: handle)
            return try await service.submitJob(request: request, context: context)
        }
    }

    @Test func oversizedSpecsAreRefusedNamingTheLimitAndNothingIsStored() async throws {
        let dir = temporaryFolder("tessera-submit-limits")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let service = try CoordinatorService(
            name: "ps-0", dataDir: dir, heartbeatInterval: .seconds(1), heartbeatTimeout: .seconds(10),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let padding = "\n# " + String(repeating: "x", count: CoordinatorService.maxSpecBytes)
        let proto = Tessera_V1_JobSpec.with {
            $0.name = "big"
            $0.model.type = "linear"
            $0.data.format = "synthetic"
            $0.data.weights = [Float](repeating: 1, count: CoordinatorService.maxSpecBytes / 4 + 1)
        }
        for request in [Tessera_V1_SubmitJobRequest.with { $0.specYaml = syntheticSpecYAML() + padding }, .with { $0.spec = proto }] {
            do {
                _ = try await submit(service, request)
                Issue.record("an oversized spec was accepted")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains("the limit is 1048576 bytes (1 MiB)"), "\(error.message)")
            }
        }
        #expect(try service.readState { $0.jobCounts.total } == 0)
        // Just under the limit is parsed as usual.
        let accepted = try await submit(service, .with { $0.specYaml = syntheticSpecYAML() })
        #expect(accepted.job.id == "job-1")
    }
}
