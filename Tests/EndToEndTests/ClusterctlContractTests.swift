import Foundation
import Testing

extension EndToEndProcesses {
/// clusterctl against real psd/workerd processes, as a script would use it: the JSON of every command has exactly
/// the keys docs/clusterctl.md documents, `wait` exits with the documented code for each outcome, `submit -` reads
/// standard input, `jobs --watch` prints changes, contexts pick the coordinator, completion scripts generate.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct ClusterctlContractTests {
    @Test func theJSONContractExitCodesAndHabitsAgainstALiveCluster() throws {
        let contract = try documentedExamples()
        let cluster = try LocalProcesses()
        // Nothing listens on port 1: unreachable at the first call is exit code 3.
        let nowhere = try ctl(cluster, ["wait", "job-1", "--for", "succeeded", "--coordinator", "127.0.0.1:1"])
        #expect(nowhere.status == 3, "wait against a closed port: \(nowhere.status) \(nowhere.stderr)")
        try cluster.startCluster(shards: 2, workers: 2, dataRoot: testDataRoot())

        // jobs --watch -o json: one object a line, the documented job keys, until interrupted.
        let watch = try WatchedProcess(cluster, ["jobs", "--watch", "-o", "json"])
        defer { watch.stop() }

        // submit - reads standard input; wait --for succeeded exits 0 and prints the job.
        let spec = try String(contentsOf: packageRoot().appendingPathComponent("examples/linear-hello.yaml"), encoding: .utf8)
        let submitted = try ctl(cluster, ["submit", "-", "-o", "json"], stdin: spec)
        #expect(submitted.status == 0, "submit -: \(submitted.stderr)")
        let id = try #require(try jsonObject(submitted.stdout)["id"] as? String)
        try expectKeys(contract, "jobs", submitted.stdout, "submit -o json")
        let waited = try ctl(cluster, ["wait", id, "--for", "succeeded", "--timeout", "5m", "-o", "json"])
        #expect(waited.status == 0, "wait --for succeeded: \(waited.status) \(waited.stderr)")
        #expect(try jsonObject(waited.stdout)["state"] as? String == "SUCCEEDED")
        #expect(try ctl(cluster, ["wait", id, "--for", "ended", "-o", "name"]).stdout == id + "\n")

        // Every documented command prints exactly the documented keys.
        try expectKeys(contract, "describe", try ctl(cluster, ["describe", id, "-o", "json"]).stdout, "describe")
        try expectKeys(contract, "jobs", try ctl(cluster, ["jobs", "--json"]).stdout, "jobs")
        try expectKeys(contract, "nodes", try ctl(cluster, ["nodes", "-o", "json"]).stdout, "nodes")
        try expectKeys(contract, "status", try ctl(cluster, ["-ojson", "status"]).stdout, "status")
        try expectKeys(contract, "checkpoint", try ctl(cluster, ["checkpoint", id, "-o", "json"]).stdout, "checkpoint")
        try expectKeys(contract, "pull", try ctl(cluster, ["pull", id, "-o", "json"]).stdout, "pull")
        let model = cluster.dir.appendingPathComponent("model.safetensors").path
        try expectKeys(contract, "export", try ctl(cluster, ["export", id, "--out", model, "-o", "json"]).stdout, "export")
        let yaml = try ctl(cluster, ["describe", id, "-o", "yaml"])
        #expect(yaml.status == 0 && yaml.stdout.contains("\nstate: SUCCEEDED\n") && yaml.stdout.contains("\nid: \(id)\n"))
        #expect(try ctl(cluster, ["nodes", "-o", "name"]).stdout.split(separator: "\n").sorted() == ["ps-0", "ps-1", "worker-0", "worker-1"])
        #expect(try ctl(cluster, ["jobs", "-o", "wide"]).stdout.contains("CHECKPOINT"))
        #expect(try ctl(cluster, ["jobs", "--json", "-o", "yaml"]).status == 64)

        // validate / submit --dry-run: the key path, exit 1, nothing submitted.
        let bad = spec.replacingOccurrences(of: "learning_rate: 0.1", with: "learning_rate: -1")
        let invalid = try ctl(cluster, ["validate", "-", "-o", "json"], stdin: bad)
        #expect(invalid.status == 1 && invalid.stderr.contains("optimizer.learning_rate"))
        try expectKeys(contract, "validate", invalid.stdout, "validate")
        let dry = try ctl(cluster, ["submit", "--dry-run", "-"], stdin: bad)
        #expect(dry.status == 1 && dry.stderr.contains("standard input: optimizer.learning_rate: must be > 0"))
        #expect(try ctl(cluster, ["submit", "--dry-run", "-"], stdin: spec).stdout == "standard input: valid (name linear-hello)\n")
        #expect(try ctl(cluster, ["jobs", "-o", "name"]).stdout == id + "\n")

        // wait's exit codes: 1 FAILED, 4 timeout, 2 CANCELLED, 5 no such job, 64 usage.
        let failing = try ctl(cluster, ["submit", "-", "-o", "name"], stdin: """
            name: missing-data
            model: {type: logistic}
            data: {format: csv, train: nowhere/missing.csv, label: target}
            cluster: {workers: 1, ps_shards: 1}
            """)
        let failingID = failing.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let failed = try ctl(cluster, ["wait", failingID, "--for", "succeeded", "--timeout", "5m"])
        #expect(failed.status == 1 && failed.stdout == "\(failingID) FAILED\n" && failed.stderr.contains("missing.csv"), "\(failed)")
        let pending = try ctl(cluster, ["submit", "-", "-o", "name"], stdin: "name: never-placed\n\(cancerLogisticJob)\ncluster: {workers: 1, ps_shards: 5}\n")
        let pendingID = pending.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let timedOut = try ctl(cluster, ["wait", pendingID, "--for", "running", "--timeout", "1s"])
        #expect(timedOut.status == 4 && timedOut.stderr.contains("timed out after 1s") && timedOut.stderr.contains("PENDING"), "\(timedOut)")
        #expect(try ctl(cluster, ["wait", pendingID, "--for", "running", "--timeout", "0"]).status == 4)
        #expect(try ctl(cluster, ["cancel", pendingID]).status == 0)
        #expect(try ctl(cluster, ["wait", pendingID, "--for", "succeeded"]).status == 2)
        #expect(try ctl(cluster, ["wait", "job-999", "--for", "ended"]).status == 5)
        #expect(try ctl(cluster, ["wait", id, "--for", "done"]).status == 64)
        #expect(try ctl(cluster, ["wait", id, "--for", "ended", "--timeout", "soon"]).status == 64)
        #expect(try ctl(cluster, ["jobs", "--state", "failed", "-o", "name"]).stdout == failingID + "\n")

        // Contexts: the file picks the coordinator; the environment beats the context, a flag beats both.
        let config = cluster.dir.appendingPathComponent("config.yaml").path
        try """
            contexts:
              - name: live
                coordinator: \(cluster.coordinator)
              - name: elsewhere
                coordinator: 127.0.0.1:1
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let noEnvironment = ["TESSERA_CONFIG": config, "TESSERA_COORDINATOR": ""]
        #expect(try ctl(cluster, ["--context", "live", "jobs", "-o", "name"], environment: noEnvironment).stdout.contains(id))
        #expect(try ctl(cluster, ["config", "use-context", "live"], environment: noEnvironment).status == 0)
        #expect(try ctl(cluster, ["config", "current-context"], environment: noEnvironment).stdout == "live\n")
        #expect(try ctl(cluster, ["jobs", "-o", "name"], environment: noEnvironment).stdout.contains(id))
        let viaEnvironment = ["TESSERA_CONFIG": config, "TESSERA_COORDINATOR": "127.0.0.1:1"]
        #expect(try ctl(cluster, ["jobs"], environment: viaEnvironment).status != 0)
        #expect(try ctl(cluster, ["jobs", "--coordinator", cluster.coordinator], environment: viaEnvironment).status == 0)
        #expect(try ctl(cluster, ["--context", "elsewhere", "wait", id, "--for", "ended"], environment: noEnvironment).status == 3)
        let view = try ctl(cluster, ["config", "view", "-o", "json"], environment: viaEnvironment)
        try expectKeys(contract, "config-view", view.stdout, "config view")
        #expect(view.stdout.contains("\"source\" : \"TESSERA_COORDINATOR\""))
        try expectKeys(contract, "get-contexts", try ctl(cluster, ["config", "get-contexts", "-o", "json"], environment: noEnvironment).stdout, "get-contexts")
        let broken = cluster.dir.appendingPathComponent("broken.yaml").path
        try "contexts: [{name: x, coordinator: nope}]\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let refused = try ctl(cluster, ["jobs"], environment: ["TESSERA_CONFIG": broken])
        #expect(refused.status == 1 && refused.stderr.contains("\(broken): contexts[0].coordinator: 'nope' is not HOST:PORT"))

        // Completion scripts for the three shells.
        for shell in ["bash", "zsh", "fish"] {
            let script = try ctl(cluster, ["completion", shell])
            #expect(script.status == 0 && script.stdout.contains("wait") && script.stdout.contains("use-context"), "completion \(shell)")
        }

        // The watch saw every job, each line a documented job object, and the first job end.
        let lines = try watch.lines(until: { $0.contains("\"\(pendingID)\"") && $0.contains("CANCELLED") })
        for line in lines { try expectKeys(contract, "jobs", "[" + line + "]", "jobs --watch -o json") }
        let states = lines.compactMap { try? jsonObject($0) }.filter { $0["id"] as? String == id }.compactMap { $0["state"] as? String }
        #expect(states.last == "SUCCEEDED", "states of \(id) seen by --watch: \(states)")
        #expect(Set(lines.compactMap { try? jsonObject($0)["id"] as? String }) == [id, failingID, pendingID])

        let statuses = cluster.stop()
        #expect(statuses.allSatisfy { $0 == 0 }, "exit statuses \(statuses)")
    }

    // MARK: helpers

    /// Runs clusterctl with `stdin`, the cluster's coordinator in the environment and no client config file unless
    /// `environment` sets one ("" removes a variable).
    private func ctl(
        _ cluster: LocalProcesses, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]
    ) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = cluster.bin.appendingPathComponent("clusterctl")
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        variables["TESSERA_COORDINATOR"] = cluster.coordinator
        variables["TESSERA_CONFIG"] = cluster.dir.appendingPathComponent("no-config.yaml").path
        for (name, value) in environment { variables[name] = value.isEmpty ? nil : value }
        process.environment = variables
        let input = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        input.fileHandleForWriting.write(Data((stdin ?? "").utf8))
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// Checks that `text` (JSON) has exactly the keys of the documented example `name`, at every level.
    private func expectKeys(_ contract: [String: (json: Any, optional: Set<String>)], _ name: String, _ text: String, _ what: String) throws {
        let example = try #require(contract[name], "docs/clusterctl.md has no contract block \(name)")
        let live = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        // A single job (submit, wait) is checked against the `jobs` list's element.
        let problems = keyDifferences(
            documented: example.json, live: example.json is [Any] && !(live is [Any]) ? [live] : live, optional: example.optional, path: "")
        #expect(problems.isEmpty, "\(what): \(problems.joined(separator: "; "))")
    }

    /// Keys the live output has but the documentation lacks, and documented keys it lacks (`optional` keys may be
    /// either way: `count` of a metrics object exists only when there are metrics).
    private func keyDifferences(documented: Any, live: Any, optional: Set<String>, path: String) -> [String] {
        if let doc = documented as? [String: Any], let out = live as? [String: Any] {
            if path.hasSuffix("bytes_per_shard") { return [] }  // keyed by shard name
            var problems = Set(out.keys).subtracting(doc.keys).subtracting(optional).map { "undocumented key \(path).\($0)" }
            problems += Set(doc.keys).subtracting(out.keys).subtracting(optional).map { "missing key \(path).\($0)" }
            for key in Set(doc.keys).intersection(out.keys) {
                problems += keyDifferences(documented: doc[key]!, live: out[key]!, optional: optional, path: "\(path).\(key)")
            }
            return problems
        }
        if let doc = documented as? [Any], let out = live as? [Any], let first = doc.first {
            return out.flatMap { keyDifferences(documented: first, live: $0, optional: optional, path: path + "[]") }
        }
        return []
    }

    /// The `<!-- contract: NAME[; optional: k, …] -->` JSON blocks of docs/clusterctl.md.
    private func documentedExamples() throws -> [String: (json: Any, optional: Set<String>)] {
        let lines = try String(contentsOf: packageRoot().appendingPathComponent("docs/clusterctl.md"), encoding: .utf8).components(separatedBy: "\n")
        var examples: [String: (json: Any, optional: Set<String>)] = [:]
        for (index, line) in lines.enumerated() where line.hasPrefix("<!-- contract: ") && index + 1 < lines.count && lines[index + 1] == "```json" {
            let fields = line.dropFirst("<!-- contract: ".count).dropLast(" -->".count).split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let optional = Set((fields.dropFirst().first { $0.hasPrefix("optional:") } ?? "").dropFirst("optional:".count)
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            let body = lines[(index + 2)...].prefix { $0 != "```" }.joined(separator: "\n")
            examples[fields[0]] = (try JSONSerialization.jsonObject(with: Data(body.utf8)), optional)
        }
        return examples
    }
}
}

/// A long-running clusterctl (`jobs --watch`) whose output lines are collected on a thread of their own.
private final class WatchedProcess: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var buffer = Data()

    init(_ cluster: LocalProcesses, _ arguments: [String]) throws {
        process.executableURL = cluster.bin.appendingPathComponent("clusterctl")
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        variables["TESSERA_COORDINATOR"] = cluster.coordinator
        variables["TESSERA_CONFIG"] = cluster.dir.appendingPathComponent("no-config.yaml").path
        process.environment = variables
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = out.fileHandleForReading
        Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                lock.withLock { buffer.append(chunk) }
            }
        }.start()
    }

    /// The complete lines printed so far, once one satisfies `done` (or after two minutes: the test then fails on
    /// what was printed).
    func lines(until done: (String) -> Bool) throws -> [String] {
        let deadline = Date().addingTimeInterval(120)
        while true {
            let text = lock.withLock { String(decoding: buffer, as: UTF8.self) }
            var lines = text.components(separatedBy: "\n")
            lines.removeLast()  // an unfinished line
            if lines.contains(where: done) || Date() > deadline { return lines }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    func stop() {
        if process.isRunning { process.interrupt() }
        process.waitUntilExit()
    }
}
