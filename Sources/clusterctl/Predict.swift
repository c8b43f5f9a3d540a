import ArgumentParser
import ClusterRuntime
import Foundation

/// `clusterctl predict JOB FILE`: sends a TensorFlow Serving REST predict request to one of the job's replicas.
struct Predict: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask a served job's model for predictions: FILE (or - for stdin) is {\"instances\": [...]} as TensorFlow Serving takes it.",
        discussion: """
            Rows of raw feature values ([[5.1, 3.5, …], …]) or objects by feature name ([{"age": 39, …}, …]) for tabular \
            models; the job's preprocessing is applied by the replica. Prints the replica's JSON answer, \
            {"predictions": [...]}. The replica is the first serving one `clusterctl describe JOB` lists (--url picks another).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Job id (job-7 or 7).")
    var job: String

    @Argument(help: "The request body: a JSON file, or - for stdin.")
    var file: String

    @Option(help: "Send to this replica URL (http://HOST:PORT/v1/models/NAME) instead of looking one up.")
    var url: String?

    @Option(help: "File holding the token prediction requests carry (workerd --serve-token-file; default: the cluster token).")
    var serveTokenFile: String?

    /// Largest request body read from FILE.
    static let maxBodyBytes = 16 << 20

    func run() async throws {
        try await runReporting {
            let body = try readBody()
            let token = try serveTokenFile.map { try RPCSecurity.readToken(file: $0) } ?? global.security().token
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

    /// The first serving replica's URL (or `--url`).
    private func replicaURL() async throws -> String {
        if let url { return url }
        let client = try global.client()
        defer { client.close() }
        let job = try await client.job(job)
        guard job.servingReplicas > 0 else {
            throw RuntimeFailure(.failedPrecondition, "\(job.id) is not served: clusterctl serve \(job.id)")
        }
        // A replica reported serving, else one just started (its worker reports each second; it may answer already).
        let placed = job.serving.filter { !$0.url.isEmpty }
        guard let replica = placed.first(where: { $0.state == "serving" }) ?? placed.first(where: { $0.state == "starting" }) else {
            let states = job.serving.map { "\($0.node): \($0.state)\($0.problem.isEmpty ? "" : " (\($0.problem))")" }
            throw RuntimeFailure(.unavailable, "no replica of \(job.id) can answer\(states.isEmpty ? " (none placed: is a workerd running with --serve-listen?)" : ": " + states.joined(separator: "; "))")
        }
        return replica.url
    }
}
