import ClusterRuntime
import Foundation
import Testing

/// Settings layering (flags > TESSERA_* > file > defaults), key validation, and the sample configs.
struct ConfigTests {
    func write(_ text: String) throws -> String {
        let path = try temporaryDirectory("config").appendingPathComponent("c.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func precedenceIsFlagsThenEnvironmentThenFileThenDefaults() throws {
        let file = try write("listen: 0.0.0.0:7000\ndata_dir: /from/file\ncoordinator_self: true\nheartbeat_timeout: 5\nlog_level: debug\n")
        let settings = try LayeredConfig.load(
            ParameterServerSettings.self, file: file,
            environment: ["TESSERA_LISTEN": "0.0.0.0:7001", "TESSERA_DATA_DIR": "/from/env", "UNRELATED": "x"],
            flags: ["listen": "0.0.0.0:7002"])
        #expect(settings.listen == "0.0.0.0:7002")  // flag beats environment and file
        #expect(settings.dataDir == "/from/env")  // environment beats file
        #expect(settings.heartbeatTimeout == 5)  // file beats default
        #expect(settings.logLevel == "debug")
        #expect(settings.metricsListen == nil)  // default
        let config = try settings.makeConfig()
        #expect(config.listen == HostPort(host: "0.0.0.0", port: 7002))
        #expect(config.heartbeatTimeout == .seconds(5))
    }

    @Test func aHigherLayerChoosingTheCoordinatorOverridesTheOtherChoice() throws {
        // TESSERA_COORDINATOR exported for clusterctl must not break `psd --coordinator-self`.
        let settings = try LayeredConfig.load(
            ParameterServerSettings.self, file: nil, environment: ["TESSERA_COORDINATOR": "10.0.0.1:7070"],
            flags: ["coordinator_self": "true", "data_dir": "/tmp/x"])
        #expect(settings.coordinatorSelf && settings.coordinator == nil)
    }

    @Test func aPsdGivenItsOwnAddressAsCoordinatorIsRefused() throws {
        // The coordinator's config file says coordinator_self; TESSERA_COORDINATOR (exported for clusterctl) overrides it
        // with this very psd's address: it would join itself and retry forever. Refused at start, naming the fix.
        let file = try write("listen: 0.0.0.0:7070\ndata_dir: /x\ncoordinator_self: true\n")
        let error = #expect(throws: ConfigError.self) {
            _ = try LayeredConfig.load(ParameterServerSettings.self, file: file, environment: ["TESSERA_COORDINATOR": "127.0.0.1:7070"], flags: [:])
        }
        #expect(error?.key == "coordinator" && error?.message.contains("this psd's own address") == true, "\(String(describing: error))")
        #expect(ParameterServerSettings.isOwnAddress("localhost:7070", listen: "127.0.0.1:7070", advertise: nil))
        #expect(ParameterServerSettings.isOwnAddress("ps0.example:7070", listen: "0.0.0.0:7070", advertise: "ps0.example:7070"))
        // Another host on the same port, or this host on another port, is a coordinator to join.
        #expect(!ParameterServerSettings.isOwnAddress("10.0.0.1:7070", listen: "0.0.0.0:7070", advertise: nil))
        #expect(!ParameterServerSettings.isOwnAddress("127.0.0.1:7070", listen: "127.0.0.1:7080", advertise: nil))
        let shard = try LayeredConfig.load(
            ParameterServerSettings.self, file: nil, environment: ["TESSERA_COORDINATOR": "127.0.0.1:7070"], flags: ["listen": "127.0.0.1:7080", "data_dir": "/x"])
        #expect(shard.coordinator == "127.0.0.1:7070")
    }

    @Test func invalidValuesNameTheKeyAndTheSource() throws {
        func failure(_ body: () throws -> Void) -> ConfigError? {
            do { try body() } catch let error as ConfigError { return error } catch { return nil }
            return nil
        }
        let typo = try write("data_dir: /x\ncoordinator_self: true\nlisten_addr: 1.2.3.4:5\n")
        let unknown = failure { _ = try LayeredConfig.load(ParameterServerSettings.self, file: typo, environment: [:], flags: [:]) }
        #expect(unknown?.key == "listen_addr")
        #expect(unknown?.message.contains("unknown key") == true)

        let badNumber = failure {
            _ = try LayeredConfig.load(
                ParameterServerSettings.self, file: nil, environment: ["TESSERA_HEARTBEAT_TIMEOUT": "soon"],
                flags: ["data_dir": "/x", "coordinator_self": "true"])
        }
        #expect(badNumber?.key == "heartbeat_timeout")
        #expect(badNumber?.source == "TESSERA_HEARTBEAT_TIMEOUT")
        #expect(badNumber?.description.contains("config key 'heartbeat_timeout' (from TESSERA_HEARTBEAT_TIMEOUT): expected a number") == true)

        let badAddress = failure {
            _ = try LayeredConfig.load(
                ParameterServerSettings.self, file: nil, environment: [:],
                flags: ["data_dir": "/x", "coordinator_self": "true", "metrics_listen": "nowhere"])
        }
        #expect(badAddress?.key == "metrics_listen")
        #expect(badAddress?.source == "flag --metrics-listen")

        let missing = failure { _ = try LayeredConfig.load(WorkerSettings.self, file: nil, environment: [:], flags: ["coordinator": "h:1"]) }
        #expect(missing?.key == "data_root")
        let threads = failure {
            _ = try LayeredConfig.load(
                WorkerSettings.self, file: nil, environment: [:], flags: ["coordinator": "h:1", "data_root": "/d", "threads": "0"])
        }
        #expect(threads?.key == "threads")
        let halfTLS = failure {
            _ = try LayeredConfig.load(
                WorkerSettings.self, file: nil, environment: [:], flags: ["coordinator": "h:1", "data_root": "/d", "tls_cert": "/c.pem"])
        }
        #expect(halfTLS?.key == "tls_key")
        let both = failure {
            _ = try LayeredConfig.load(
                ParameterServerSettings.self, file: nil, environment: [:], flags: ["data_dir": "/x"])
        }
        #expect(both?.key == "coordinator_self")
    }

    @Test func sampleConfigsInDeployDecode() throws {
        let deploy = packageRoot().appendingPathComponent("deploy")
        let coordinator = try LayeredConfig.load(ParameterServerSettings.self, file: deploy.appendingPathComponent("psd.yaml").path, environment: [:], flags: [:])
        #expect(coordinator.coordinatorSelf && coordinator.name == "ps-0" && coordinator.metricsListen == "0.0.0.0:9470")
        let shard = try LayeredConfig.load(ParameterServerSettings.self, file: deploy.appendingPathComponent("psd-shard.yaml").path, environment: [:], flags: [:])
        #expect(shard.coordinator == "10.0.0.10:7070" && !shard.coordinatorSelf)
        let worker = try LayeredConfig.load(WorkerSettings.self, file: deploy.appendingPathComponent("workerd.yaml").path, environment: [:], flags: [:])
        #expect(worker.threads == 4 && worker.dataRoot == "/var/lib/tessera/data")
    }

    @Test func everyKeyIsDocumented() throws {
        let doc = try String(contentsOf: packageRoot().appendingPathComponent("docs/config.md"), encoding: .utf8)
        for key in ParameterServerSettings.Keys.allCases.map(\.rawValue) + WorkerSettings.Keys.allCases.map(\.rawValue) {
            #expect(doc.contains("`\(key)`"), "docs/config.md does not document \(key)")
        }
    }

    @Test func tokenFilesAreTrimmedAndMustNotBeEmpty() throws {
        let good = try write("  s3cret-token-0123456789\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: good)
        #expect(try RPCSecurity.readToken(file: good) == "s3cret-token-0123456789")
        let empty = try write("\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: empty)
        #expect(throws: RuntimeFailure.self) { try RPCSecurity.readToken(file: empty) }
    }
}
