import ClusterRuntime
import Foundation
import Logging
import Testing
import Training

/// The prediction server over HTTPS (a workerd with tls_cert/tls_key): a client that trusts the cluster CA gets
/// predictions; plain HTTP on the same port gets nothing.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct PredictionTLSTests {
    @Test func theRESTAPIAnswersOverHTTPSAndNotOverPlainHTTP() async throws {
        let dir = try TLSTests().makeCertificates()
        func file(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let model = try ModelFactory.makeModel(ModelConfig(type: .logistic, inputWidth: 2))
        let parameters = try ParameterSet(variables: model.variables)
        let preprocessing = Preprocessing(features: ["x", "y"], inputWidth: 2, classNames: ["no", "yes"], classes: 2)
        let predictor = try Predictor(model: model, preprocessing: preprocessing, parameters: parameters, version: 7, backend: CPUBackend())
        let server = PredictionHTTPServer(
            address: HostPort(host: "127.0.0.1", port: 0), api: PredictionAPI(name: "toy", predictor: predictor, token: "s3cret"),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            tls: TLSFiles(certificate: file("server.pem"), key: file("server.key"), ca: file("ca.pem")))
        let address = try await server.bind()
        let task = Task { try await server.run() }
        defer { task.cancel() }

        // What `clusterctl predict` does for an https replica: verify it against the cluster CA.
        let url = try #require(URL(string: "https://127.0.0.1:\(address.port)/v1/models/toy:predict"))
        let answer = try await PredictionHTTPClient.send(
            url: url, body: Array(#"{"instances": [[1, 2]]}"#.utf8), token: "s3cret", ca: file("ca.pem"), timeout: .seconds(10))
        #expect(answer.status == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        #expect((json["predictions"] as? [[Double]])?.first?.first == 0.5, "zero weights answer P = 0.5: \(json)")

        // A client trusting another CA is refused by its own TLS check; plain HTTP to the HTTPS port gets no answer.
        await #expect(throws: (any Error).self) {
            _ = try await PredictionHTTPClient.send(url: url, body: Array("{}".utf8), token: "s3cret", ca: file("rogue.pem"), timeout: .seconds(5))
        }
        let plain = try #require(URL(string: "http://127.0.0.1:\(address.port)/v1/models/toy"))
        let plainAnswer = try? await PredictionHTTPClient.send(url: plain, body: nil, token: "s3cret", ca: nil, timeout: .seconds(5))
        #expect(plainAnswer?.status != 200)
    }
}
