import ArgumentParser
import ClusterAPI
import ClusterRuntime
import Foundation

/// `clusterctl predict JOB FILE`: sends a TensorFlow Serving REST predict request to one of the job's replicas, or
/// with `--grpc` the same instances through its gRPC `Predict`.
struct Predict: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask a served job's model for predictions: FILE (or - for stdin) is {\"instances\": [...]} as TensorFlow Serving takes it.",
        discussion: """
            Rows of raw feature values ([[5.1, 3.5, …], …]) or objects by feature name ([{"age": 39, …}, …]) for tabular \
            models; the job's preprocessing is applied by the replica. Prints the replica's JSON answer, \
            {"predictions": [...]}. The replica is the first serving one `clusterctl describe JOB` lists (--url picks another). \
            With --grpc the file is read here (the replica's parser and limits) and its instances go through the replica's \
            gRPC Predict (tessera.v1.Prediction, workerd --serve-grpc-listen); the answer is printed as the same JSON.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    @Argument(help: "The request body: a JSON file, or - for stdin.")
    var file: String

    @Option(help: "Send to this replica instead of looking one up: its URL (http://HOST:PORT/v1/models/NAME), or with --grpc its HOST:PORT.")
    var url: String?

    @Flag(help: "Use the replica's gRPC Predict instead of its REST API.")
    var grpc = false

    @Option(help: "File holding the token prediction requests carry (workerd --serve-token-file; default: the cluster token).")
    var serveTokenFile: String?

    /// Largest request body read from FILE.
    static let maxBodyBytes = 16 << 20

    func run() async throws {
        try await runReporting {
            let body = try readBody()
            let token = try serveTokenFile.map { try RPCSecurity.readToken(file: $0) } ?? global.security().token
            if grpc { return try await predictGRPC(body: body, token: token) }
            let target = try await replicaURL()
            guard let endpoint = URL(string: target + ":predict"), endpoint.scheme == "http" || endpoint.scheme == "https" else {
                throw ValidationError("'\(target)' is not an http(s) replica URL")
            }
            // An HTTPS replica (a worker with tls_cert) is verified against the cluster CA given to clusterctl.
            let answer = try await PredictionHTTPClient.send(
                url: endpoint, body: Array(body), token: token, ca: try global.security().tls?.ca,
                timeout: .milliseconds(Int64((global.timeout * 1000).rounded())))
            guard answer.status == 200 else {
                let text = String(decoding: answer.body.prefix(4096), as: UTF8.self)
                throw RuntimeFailure(.invalidArgument, "\(endpoint) answered \(answer.status): \(text)")
            }
            let data = Data(answer.body)
            FileHandle.standardOutput.write(data)
            FileHandle.standardOutput.write(Data("\n".utf8))
        }
    }

    private func readBody() throws -> Data {
        let handle: FileHandle
        if file == "-" {
            handle = .standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: file) else { throw ValidationError("cannot read \(file)") }
            handle = opened
        }
        let data = try handle.read(upToCount: Self.maxBodyBytes + 1) ?? Data()
        guard data.count <= Self.maxBodyBytes else {
            throw ValidationError("\(file) is over \(Self.maxBodyBytes) bytes, more than a prediction request may have")
        }
        return data
    }

    /// `--grpc`: the file's instances through the replica's gRPC `Predict`, printed as `{"predictions": [...]}`.
    private func predictGRPC(body: Data, token: String?) async throws {
        let request = try PredictRequest(json: [UInt8](body))
        let address: HostPort, model: String
        if let url {
            address = try HostPort(parsing: url)
            model = job.allSatisfy(\.isNumber) ? "job-\(job)" : job
        } else {
            let (replica, id) = try await placedReplica(grpc: true)
            address = try HostPort(parsing: replica.grpcAddress)
            model = id
        }
        let client = try PredictionClient(
            address: address, timeout: .milliseconds(Int64(global.timeout * 1000)), security: RPCSecurity(token: token, tls: try global.security().tls))
        defer { client.close() }
        let answer = try await client.predict(request.proto(model: model))
        FileHandle.standardOutput.write(Data(PredictionAPI.predictionsJSON(answer.predictions.map(\.values))))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    /// The first serving replica's URL (or `--url`).
    private func replicaURL() async throws -> String {
        if let url { return url }
        return try await placedReplica(grpc: false).replica.url
    }

    /// The first replica that serves (else one just started) with an address for the interface, and the job's id.
    private func placedReplica(grpc: Bool) async throws -> (replica: Tessera_V1_ServingReplica, job: String) {
        let client = try global.client()
        defer { client.close() }
        let job = try await client.job(job)
        guard job.servingReplicas > 0 else {
            throw RuntimeFailure(.failedPrecondition, "\(job.id) is not served: clusterctl serve \(job.id)")
        }
        // A replica reported serving, else one just started (its worker reports each second; it may answer already).
        let placed = job.serving.filter { grpc ? !$0.grpcAddress.isEmpty : !$0.url.isEmpty }
        guard let replica = placed.first(where: { $0.state == "serving" }) ?? placed.first(where: { $0.state == "starting" }) else {
            if grpc, !job.serving.isEmpty, placed.isEmpty {
                throw RuntimeFailure(.unavailable, "no replica of \(job.id) serves gRPC: start its workers with --serve-grpc-listen HOST:PORT")
            }
            let states = job.serving.map { "\($0.node): \($0.state)\($0.problem.isEmpty ? "" : " (\($0.problem))")" }
            throw RuntimeFailure(.unavailable, "no replica of \(job.id) can answer\(states.isEmpty ? " (none placed: is a workerd running with --serve-listen?)" : ": " + states.joined(separator: "; "))")
        }
        return (replica, job.id)
    }
}
