import ClusterRuntime
import Foundation
import Logging
import Testing

/// gRPC `Predict` over TLS (a workerd with tls_cert/tls_key and `--serve-grpc-listen`): a client that trusts the
/// cluster CA gets predictions; one that trusts another CA, or speaks plaintext, gets none.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct PredictionGRPCTLSTests {
    @Test func gRPCPredictAnswersOverTLSAndRefusesUntrustedOrPlainClients() async throws {
        let dir = try TLSTests().makeCertificates()
        func file(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let api = PredictionAPI(name: "toy", predictor: try PredictionServiceTests.predictor(), token: "s3cret")
        let server = PredictionGRPCServer(
            address: HostPort(host: "127.0.0.1", port: 0), api: api,
            tls: TLSFiles(certificate: file("server.pem"), key: file("server.key"), ca: file("ca.pem")),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let address = try await server.bind()
        let task = Task { try await server.run() }
        defer { task.cancel(); server.stop() }

        // What `clusterctl predict --grpc` does with a cluster's TLS settings.
        let trusted = try PredictionClient(
            address: address, security: RPCSecurity(token: "s3cret", tls: TLSFiles(certificate: file("client.pem"), key: file("client.key"), ca: file("ca.pem"))))
        defer { trusted.close() }
        let answer = try await trusted.predict(PredictionServiceTests.request([PredictionServiceTests.row([12, 1])]))
        #expect(answer.version == 42 && answer.predictions.count == 1)

        let rogue = try PredictionClient(
            address: address, timeout: .seconds(5),
            security: RPCSecurity(token: "s3cret", tls: TLSFiles(certificate: file("intruder.pem"), key: file("intruder.key"), ca: file("rogue.pem"))))
        defer { rogue.close() }
        let refused = await PredictionGRPCServerTests.failure { _ = try await rogue.status(model: "toy") }
        #expect(refused != nil, "a client trusting another CA gets no answer")
        let plain = try PredictionClient(address: address, timeout: .seconds(5), security: RPCSecurity(token: "s3cret"))
        defer { plain.close() }
        let plainFailure = await PredictionGRPCServerTests.failure { _ = try await plain.status(model: "toy") }
        #expect(plainFailure != nil, "plaintext gRPC to the TLS port gets no answer")
        // The server still answers the trusted client after both.
        #expect(try await trusted.status(model: "toy").version == 42)
    }
}
