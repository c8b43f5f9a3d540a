import Foundation
import DataPlane

/// TensorFlow Serving's REST API over a `Predictor`, without a transport: `POST /v1/models/<name>:predict` with
/// `{"instances": [...]}` answers `{"predictions": [...]}`, `GET /v1/models/<name>` the version status; errors are
/// `{"error": "..."}` with 400 (bad request), 401 (token), 404 (unknown model or path), 405, 413 (too large), 503 (an
/// embedding model's shards cannot be read). The HTTP server (ClusterRuntime) only moves bytes to and from `answer`
/// (`asyncAnswer` for the predictions `awaitsRows` names).
public struct PredictionAPI: Sendable {
    /// The models answered, by name.
    public let models: ServedModels
    /// The bearer token every request must carry (`Authorization: Bearer …`); nil: none.
    public let token: String?
    /// Bounds on a request.
    public let limits: PredictRequest.Limits

    /// The API of the models in `models` (a workerd's replicas).
    public init(models: ServedModels, token: String? = nil, limits: PredictRequest.Limits = PredictRequest.Limits()) {
        self.models = models
        self.token = token
        self.limits = limits
    }

    /// The API of one `predictor` under `name` (an export).
    public init(name: String, predictor: Predictor, token: String? = nil, limits: PredictRequest.Limits = PredictRequest.Limits()) {
        self.init(models: ServedModels(name: name, predictor: predictor), token: token, limits: limits)
    }

    /// An HTTP answer: status code and JSON body.
    public struct Answer: Sendable, Equatable {
        /// HTTP status code.
        public var status: Int
        /// The JSON body.
        public var body: [UInt8]

        /// An answer.
        public init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }

        static func error(_ status: Int, _ message: String) -> Answer {
            Answer(status: status, body: Array("{\"error\":\(JSONText.quoted(message))}".utf8))
        }
    }

    /// Answers one request (`path` without the query string; `authorization` the header's value, if any). A
    /// prediction of a model that reads embedding rows per request (`awaitsRows`) is answered by `asyncAnswer` only.
    public func answer(method: String, path: String, authorization: String?, body: [UInt8]) -> Answer {
        switch route(method: method, path: path, authorization: authorization) {
        case .answered(let answer): return answer
        case .predict(let predictor):
            guard !predictor.readsRows else { return .error(500, "this model's predictions read embedding rows from its shards and are awaited") }
            return predict(body, predictor)
        }
    }

    /// `answer` for every request, a prediction of an embedding model served live included: its rows are read from
    /// the shards (503 with a sentence when they cannot be).
    public func asyncAnswer(method: String, path: String, authorization: String?, body: [UInt8]) async -> Answer {
        switch route(method: method, path: path, authorization: authorization) {
        case .answered(let answer): return answer
        case .predict(let predictor):
            do {
                let request = try PredictRequest(json: body, limits: limits)
                let (outputs, _) = try await predictor.prediction(for: request.instances)
                return Answer(status: 200, body: Self.predictionsJSON(outputs))
            } catch {
                return Self.refusal(error)
            }
        }
    }

    /// Whether `method path` is a prediction of a model that reads embedding rows per request, which a transport
    /// answers with `asyncAnswer` off its event loop (every other request: `answer`, at once).
    public func awaitsRows(method: String, path: String) -> Bool {
        guard method == "POST", let name = Self.predictedModel(path) else { return false }
        return models.predictor(named: name)?.readsRows == true
    }

    /// What a request comes to before any prediction: an answer (status, refusal), or the predictor to run on its body.
    private enum Route {
        case answered(Answer)
        case predict(Predictor)
    }

    private func route(method: String, path: String, authorization: String?) -> Route {
        if !authorizes(authorization) {
            return .answered(.error(401, "missing or wrong bearer token (Authorization: Bearer …)"))
        }
        let prefix = "/v1/models/"
        guard path.hasPrefix(prefix) else {
            return .answered(.error(404, "not found: POST /v1/models/<name>:predict or GET /v1/models/<name> (serving \(servedList))"))
        }
        var rest = Substring(path.dropFirst(prefix.count))
        let predicting = rest.hasSuffix(":predict")
        if predicting { rest = rest.dropLast(":predict".count) } else if rest.hasSuffix("/") { rest = rest.dropLast() }
        // TF Serving's /versions/N form: the version served is the newest step, any N answers with it.
        if let versions = rest.range(of: "/versions/") { rest = rest[..<versions.lowerBound] }
        let name = String(rest)
        let predictor: Predictor
        do { predictor = try model(named: name) } catch { return .answered(.error(404, error.message)) }
        if predicting {
            guard method == "POST" else { return .answered(.error(405, "\(path) takes POST")) }
            return .predict(predictor)
        }
        guard method == "GET" else { return .answered(.error(405, "\(path) takes GET")) }
        return .answered(Answer(status: 200, body: Array("""
            {"model_version_status":[{"version":"\(predictor.version)","state":"AVAILABLE","status":{"error_code":"OK","error_message":""}}]}
            """.utf8)))
    }

    /// The model name of a `/v1/models/<name>[/versions/N]:predict` path; nil for any other path.
    private static func predictedModel(_ path: String) -> String? {
        let prefix = "/v1/models/", suffix = ":predict"
        guard path.hasPrefix(prefix), path.hasSuffix(suffix) else { return nil }
        var name = path.dropFirst(prefix.count).dropLast(suffix.count)
        if let versions = name.range(of: "/versions/") { name = name[..<versions.lowerBound] }
        return String(name)
    }

    /// The model served under `name`; NOT_FOUND naming the served ones (for both interfaces).
    public func model(named name: String) throws(RuntimeFailure) -> Predictor {
        guard !name.isEmpty, !name.contains("/"), let predictor = models.predictor(named: name) else {
            throw RuntimeFailure(.notFound, "no model \(JSONText.clipped(name)) here; this server serves \(servedList)")
        }
        return predictor
    }

    /// Whether an `Authorization` header value carries the token (always, without one).
    public func authorizes(_ authorization: String?) -> Bool {
        token.map { Self.bearerMatches(authorization, $0) } ?? true
    }

    /// The served names for error messages (at most 10).
    private var servedList: String {
        let names = models.names
        if names.isEmpty { return "no model yet" }
        return names.prefix(10).map { JSONText.quoted($0) }.joined(separator: ", ") + (names.count > 10 ? " and \(names.count - 10) more" : "")
    }

    private func predict(_ body: [UInt8], _ predictor: Predictor) -> Answer {
        do {
            let request = try PredictRequest(json: body, limits: limits)
            let (outputs, _) = try predictor.predict(request.instances)
            return Answer(status: 200, body: Self.predictionsJSON(outputs))
        } catch {
            return Self.refusal(error)
        }
    }

    /// The answer to a prediction that failed: 413 over the limits, 503 when the shards cannot be read, 400 otherwise
    /// (the sentence names the problem); 500 for an error that is not a `RuntimeFailure`.
    static func refusal(_ error: any Error) -> Answer {
        guard let failure = error as? RuntimeFailure else { return .error(500, "\(error)") }
        switch failure.code {
        case .resourceExhausted: return .error(413, failure.message)
        case .unavailable, .deadlineExceeded: return .error(503, failure.message)
        default: return .error(400, failure.message)
        }
    }

    /// `{"predictions": [[...], ...]}`, one row per instance (the REST answer; `clusterctl predict --grpc` prints it too).
    public static func predictionsJSON(_ outputs: [[Float]]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + outputs.count * 16 * max(outputs.first?.count ?? 1, 1))
        out.append(contentsOf: Array("{\"predictions\":[".utf8))
        for (i, row) in outputs.enumerated() {
            if i > 0 { out.append(0x2C) }
            out.append(0x5B)
            for (j, v) in row.enumerated() {
                if j > 0 { out.append(0x2C) }
                JSONText.append(v, to: &out)
            }
            out.append(0x5D)
        }
        out.append(contentsOf: Array("]}".utf8))
        return out
    }

    /// Constant-time comparison of the header's token with `token`.
    static func bearerMatches(_ header: String?, _ token: String) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.utf8.dropFirst(7)), wanted = Array(token.utf8)
        var difference = given.count ^ wanted.count
        for i in 0..<max(given.count, wanted.count) {
            difference |= Int((i < given.count ? given[i] : 0) ^ (i < wanted.count ? wanted[i] : 0))
        }
        return difference == 0
    }
}

/// JSON text for answers.
enum JSONText {
    /// `s` as a JSON string literal.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// At most 64 characters of `s`, quoted.
    static func clipped(_ s: String) -> String { quoted(String(s.prefix(64))) }

    /// A finite float as a JSON number (shortest text that reads back as the same Float); null when not finite.
    static func append(_ v: Float, to out: inout [UInt8]) {
        guard v.isFinite else { out.append(contentsOf: Array("null".utf8)); return }
        out.append(contentsOf: Array(v.description.utf8))
    }
}
