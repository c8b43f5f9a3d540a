import Foundation
import TensorWire
import Testing

/// Attacks every port of real daemons as a hostile client would — garbage and oversized frames, a 2 GiB body
/// declared before the handshake, floods of half-open connections, crafted data-plane frames, every bad job spec
/// of issue 12 — then checks that every daemon is still up and the cluster still trains a normal job to its target.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct HostileClientTests {
    /// Idle seconds after which the daemons close a silent connection (short, so the flood clears in the test).
    static let idleTimeout = 4
    /// Connections per listener the daemons accept.
    static let maxConnections = 160

    @Test func everyDaemonSurvivesHostileClientsAndStillTrains() throws {
        let cluster = try LocalProcesses()
        defer { cluster.stop() }
        let token = cluster.dir.appendingPathComponent("token").path
        let secret = (0..<32).map { _ in String(UInt8.random(in: 0...15), radix: 16) }.joined()
        FileManager.default.createFile(atPath: token, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600])
        let metricsPort = try freePort()
        cluster.clusterctlArguments = ["--token-file", token]
        try cluster.startCluster(
            shards: 2, workers: 2, dataRoot: testDataRoot(),
            psdArguments: [
                "--token-file", token, "--idle-timeout", "\(Self.idleTimeout)", "--max-connections", "\(Self.maxConnections)",
            ],
            coordinatorArguments: ["--metrics-listen", "127.0.0.1:\(metricsPort)"],
            workerArguments: ["--token-file", token])
        let coordinatorPort = try #require(cluster.coordinator.split(separator: ":").last.flatMap { Int($0) })
        let nodes = try jsonArray(try cluster.clusterctl(["nodes", "--json"]).stdout)
        let dataAddress = try #require(nodes.first { $0["name"] as? String == "ps-0" }?["data_address"] as? String)
        let dataPort = try #require(dataAddress.split(separator: ":").last.flatMap { Int($0) })
        let coordinatorPID = try #require(cluster.named["psd-0"]?.processIdentifier)
        let rssBefore = residentBytes(pid: coordinatorPID) ?? 0

        // A job that runs while the data plane is attacked.
        let busy = try submitSpec(cluster, name: "busy", training: "{mode: async, max_steps: 100000000}")
        let jobNumber = try #require(UInt64(busy.dropFirst("job-".count)))
        try waitFor("job \(busy) to be placed", seconds: 60) {
            let job = try jsonObject(try cluster.clusterctl(["describe", busy, "--json"]).stdout)
            return job["state"] as? String == "RUNNING" && !((job["placement"] as? [Any])?.isEmpty ?? true)
        }

        try attackNativeDataPlane(port: dataPort, token: secret, jobNumber: jobNumber)
        try attackGRPCPort(port: coordinatorPort)
        try attackMetricsPort(port: metricsPort)
        // A flood of silent connections past the cap: new clients are turned away until the daemons close the
        // silent ones (a connection must start a stream or handshake in time, and idle ones are closed).
        let idle = try flood(ports: [coordinatorPort, dataPort], connections: Self.maxConnections + 40)
        let closed = idle.filter { $0.closedByPeer(within: Double(Self.idleTimeout) + 15) }.count
        #expect(closed == idle.count, "\(idle.count - closed) of \(idle.count) silent connections were never closed")
        try refuseEveryBadSpec(cluster)
        try refuseUnauthenticatedCalls(cluster)

        // Memory: nothing the attacks declared was allocated.
        let rssAfter = residentBytes(pid: coordinatorPID) ?? 0
        #expect(rssAfter - rssBefore < 256 << 20, "the coordinator psd grew by \((rssAfter - rssBefore) >> 20) MiB under attack")

        // Every daemon still serves a normal job.
        #expect(try cluster.clusterctl(["cancel", busy]).status == 0)
        for (name, process) in cluster.named {
            #expect(process.isRunning, "\(name) died under attack; logs in \(cluster.dir.path)/logs")
        }
        let job = try submitSpec(cluster, name: "after-attack", training: "{mode: async, epochs: 20, eval_every_steps: 0}")
        try waitFor("job \(job) to end", seconds: 120) {
            let state = try jsonObject(try cluster.clusterctl(["describe", job, "--json"]).stdout)["state"] as? String
            return ["SUCCEEDED", "FAILED", "CANCELLED"].contains(state ?? "")
        }
        let final = try jsonObject(try cluster.clusterctl(["describe", job, "--json"]).stdout)
        #expect(final["state"] as? String == "SUCCEEDED", "\(final["reason"] ?? "")")
        let accuracy = (final["metrics"] as? [String: Any])?["accuracy"] as? Double ?? 0
        #expect(accuracy >= 0.9, "held-out accuracy \(accuracy) after the attacks")
        let alive = try jsonArray(try cluster.clusterctl(["nodes", "--json"]).stdout).filter { $0["state"] as? String == "alive" }
        #expect(alive.count == 4, "alive nodes after the attacks: \(alive.map { $0["name"] ?? "?" })")
    }

    // MARK: the native data-plane port

    private func attackNativeDataPlane(port: Int, token: String, jobNumber: UInt64) throws {
        // A 2 GiB push declared before the handshake: refused at once, nothing allocated.
        let early = try RawConnection(port: port)
        early.send(nativePreamble(method: 2, requestID: 1, length: 2 << 30))
        let earlyAnswer = early.receive(atLeast: 24, timeout: 5)
        #expect(nativeStatus(earlyAnswer.bytes) == 16, "a request before the handshake must be UNAUTHENTICATED")
        #expect(early.closedByPeer(within: 5))

        // A wrong token, a bad magic, an oversized handshake: each answered with its status and closed.
        let wrong = try RawConnection(port: port)
        wrong.send(nativePreamble(method: 0, requestID: 1, length: 20) + Array("not-the-cluster-token".utf8.prefix(20)))
        #expect(nativeStatus(wrong.receive(atLeast: 24, timeout: 5).bytes) == 16)
        #expect(wrong.closedByPeer(within: 5))
        let garbage = try RawConnection(port: port)
        garbage.send((0..<4096).map { _ in UInt8.random(in: 0...255) })
        #expect(garbage.closedByPeer(within: 5))
        let hugeHello = try RawConnection(port: port)
        hugeHello.send(nativePreamble(method: 0, requestID: 1, length: 1 << 40))
        #expect(hugeHello.closedByPeer(within: 5))

        // Authenticated, then frames that used to crash or amplify: a push whose row range overflows, a pull naming
        // one partition 20,000 times. Each is answered with an error and the connection keeps serving.
        let client = try RawConnection(port: port)
        client.send(nativePreamble(method: 0, requestID: 1, length: UInt64(token.utf8.count)) + Array(token.utf8))
        #expect(nativeStatus(client.receive(atLeast: 24, timeout: 5).bytes) == 0, "the handshake with the cluster token failed")
        var requestID: UInt64 = 2
        for variable in UInt32(0)..<3 {
            let entry = EntryHeader.denseChunk(
                variableID: variable, partition: 0, version: 0, dtype: .f32, shape: Shape([1, 1]), rowOffset: Int.max - 1)
            let frame = WireFormat.encode(WireFrame(
                header: FrameHeader(kind: .pushRequest, requestID: requestID, jobID: jobNumber),
                entries: [WireEntry(header: entry, payload: [0, 0, 128, 63])]))
            client.send(nativePreamble(method: 2, requestID: requestID, length: UInt64(frame.count)) + frame)
            let answer = client.receive(atLeast: 24, timeout: 10)
            #expect(!answer.closed && (nativeStatus(answer.bytes) ?? 0) != 0, "an overflowing row range must be refused")
            requestID += 1
        }
        let entries = (0..<20_000).map { _ in WireEntry(header: .empty(variableID: 0, partition: 0, version: 0)) }
        let pull = WireFormat.encode(WireFrame(header: FrameHeader(kind: .pullRequest, requestID: requestID, jobID: jobNumber), entries: entries))
        client.send(nativePreamble(method: 1, requestID: requestID, length: UInt64(pull.count)) + pull)
        let pulled = client.receive(atLeast: 24, timeout: 10)
        #expect((nativeStatus(pulled.bytes) ?? 0) != 0, "a pull repeating one partition 20,000 times must be refused")
    }

    // MARK: the gRPC (HTTP/2) control port and the metrics port

    private func attackGRPCPort(port: Int) throws {
        let garbage = try RawConnection(port: port)
        garbage.send((0..<65_536).map { _ in UInt8.random(in: 0...255) })
        #expect(garbage.closedByPeer(within: 10), "the gRPC port kept a connection that sent garbage")
        // The HTTP/2 preface, then frames of random bytes.
        let preface = try RawConnection(port: port)
        preface.send(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + (0..<16_384).map { _ in UInt8.random(in: 0...255) })
        #expect(preface.closedByPeer(within: 10), "the gRPC port kept a connection that sent bad HTTP/2 frames")
        // A frame header announcing 16 MiB of headers.
        let oversized = try RawConnection(port: port)
        oversized.send(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0x00, 0x00, 0x00, 0x04, 0x00, 0, 0, 0, 0] + [0xff, 0xff, 0xff, 0x01, 0x05, 0, 0, 0, 1])
        #expect(oversized.closedByPeer(within: 10))
    }

    private func attackMetricsPort(port: Int) throws {
        let garbage = try RawConnection(port: port)
        garbage.send((0..<65_536).map { _ in UInt8.random(in: 0...255) })
        #expect(garbage.closedByPeer(within: 10), "the metrics port kept a connection that sent garbage")
        let hugeHeader = try RawConnection(port: port)
        hugeHeader.send(Array("GET /metrics HTTP/1.1\r\nX-Long: ".utf8) + [UInt8](repeating: 0x61, count: 1 << 20))
        #expect(hugeHeader.closedByPeer(within: 10), "the metrics port kept a connection with a 1 MiB header")
    }

    /// Opens `connections` silent connections to each port (more than a listener accepts) and keeps them.
    private func flood(ports: [Int], connections: Int) throws -> [RawConnection] {
        var open: [RawConnection] = []
        for port in ports {
            for _ in 0..<connections {
                if let connection = try? RawConnection(port: port) { open.append(connection) }
            }
        }
        return open
    }

    // MARK: job specs and authentication

    private func refuseEveryBadSpec(_ cluster: LocalProcesses) throws {
        let cancer = "data: {format: csv, train: breast_cancer/breast_cancer.csv, label: target, test_fraction: 0.3}"
        let bad: [(String, String)] = [
            ("batch_size", "\(cancer.dropLast()), batch_size: 2147483648}\nmodel: {type: logistic}"),
            ("epochs", "\(cancer)\nmodel: {type: logistic}\ntraining: {epochs: 2147483648}"),
            ("keep", "\(cancer)\nmodel: {type: logistic}\ntraining: {epochs: 1, checkpoint: {every_steps: 10, keep: 2147483648}}"),
            ("hidden", "\(cancer)\nmodel: {type: mlp, hidden: [2147483648]}"),
            ("hidden", "\(cancer)\nmodel: {type: mlp, hidden: [1000000, 1000000]}"),
            ("classes", "\(cancer)\nmodel: {type: softmax, classes: 2147483648}"),
            ("replicas_to_aggregate", "\(cancer)\nmodel: {type: logistic}\ntraining: {mode: sync, replicas_to_aggregate: 9223372036854775807, backup_workers: 1}"),
            ("workers", "\(cancer)\nmodel: {type: logistic}\ncluster: {workers: 1000000000000}"),
            ("learning_rate", "\(cancer)\nmodel: {type: logistic}\noptimizer: {type: sgd, learning_rate: .nan}"),
            ("data.train", "data: {format: csv, train: /etc/passwd, label: root}\nmodel: {type: logistic}"),
            ("data.train", "data: {format: csv, train: ../../../etc/passwd, label: root}\nmodel: {type: logistic}"),
            ("init_from", "\(cancer)\nmodel: {type: logistic}\ninit_from: ../../../etc/shadow.safetensors"),
            ("batch_size", "\(cancer.dropLast()), batch_size: -1}\nmodel: {type: logistic}"),
        ]
        for (index, (key, body)) in bad.enumerated() {
            let file = cluster.dir.appendingPathComponent("bad-\(index).yaml").path
            try "name: bad-\(index)\n\(body)\n".write(toFile: file, atomically: true, encoding: .utf8)
            let result = try cluster.clusterctl(["submit", file])
            #expect(result.status != 0, "spec \(index) (\(key)) was accepted: \(result.stdout)")
            #expect(result.stderr.contains(key), "spec \(index): the refusal does not name \(key): \(result.stderr)")
        }
        // A spec of 8 MiB is refused for its size.
        let huge = cluster.dir.appendingPathComponent("huge.yaml").path
        try ("name: huge\n\(cancer)\nmodel: {type: logistic}\n# " + String(repeating: "x", count: 8 << 20) + "\n")
            .write(toFile: huge, atomically: true, encoding: .utf8)
        #expect(try cluster.clusterctl(["submit", huge]).status != 0)
        // None of them became a job, and the coordinator answers as before.
        let listed = try cluster.clusterctl(["jobs", "--json"])
        #expect(listed.status == 0)
        #expect(!listed.stdout.contains("bad-") && !listed.stdout.contains("\"huge\""))
    }

    private func refuseUnauthenticatedCalls(_ cluster: LocalProcesses) throws {
        let anonymous = try runClusterctl(bin: cluster.bin, coordinator: cluster.coordinator, ["jobs"])
        #expect(anonymous.status != 0 && anonymous.stderr.contains("token"), "jobs without the token: \(anonymous.stderr)")
        let wrongToken = cluster.dir.appendingPathComponent("wrong-token").path
        FileManager.default.createFile(
            atPath: wrongToken, contents: Data(String(repeating: "0", count: 32).utf8), attributes: [.posixPermissions: 0o600])
        let wrong = try runClusterctl(bin: cluster.bin, coordinator: cluster.coordinator, ["--token-file", wrongToken, "jobs"])
        #expect(wrong.status != 0, "jobs with a wrong token succeeded")
    }

    // MARK: helpers

    private func submitSpec(_ cluster: LocalProcesses, name: String, training: String) throws -> String {
        let file = cluster.dir.appendingPathComponent("\(name).yaml").path
        try "name: \(name)\n\(cancerLogisticJob)\ntraining: \(training)\ncluster: {workers: 2}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try cluster.clusterctl(["submit", file, "--json"])
        guard result.status == 0, let id = try jsonObject(result.stdout)["id"] as? String else {
            throw E2EError("submit \(name) failed: \(result.stderr)")
        }
        return id
    }

    private func waitFor(_ what: String, seconds: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return }
            Thread.sleep(forTimeInterval: 0.25)
        }
        throw E2EError("timed out waiting for \(what)")
    }

    private func jsonArray(_ text: String) throws -> [[String: Any]] {
        guard let array = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
            throw E2EError("not a JSON array: \(text.prefix(200))")
        }
        return array
    }
}
