import ClusterRuntime
import Foundation
import Testing

/// `workerd --slowdown FACTOR` (straggler experiments): layering, default and validation.
struct WorkerSlowdownSettingTests {
    private let required = ["coordinator": "h:1", "data_root": "/d"]

    private func failure(_ body: () throws -> Void) -> ConfigError? {
        do { try body() } catch let error as ConfigError { return error } catch { return nil }
        return nil
    }

    @Test func defaultsToNormalSpeedAndReachesTheConfig() throws {
        let plain = try LayeredConfig.load(WorkerSettings.self, file: nil, environment: [:], flags: required)
        #expect(plain.slowdown == 1)
        #expect(try plain.makeConfig().slowdown == 1)
        let slowed = try LayeredConfig.load(
            WorkerSettings.self, file: nil, environment: ["TESSERA_SLOWDOWN": "2"], flags: required.merging(["slowdown": "3"]) { $1 })
        #expect(slowed.slowdown == 3)  // the flag beats the environment
        #expect(try slowed.makeConfig().slowdown == 3)
        let fromEnvironment = try LayeredConfig.load(WorkerSettings.self, file: nil, environment: ["TESSERA_SLOWDOWN": "2.5"], flags: required)
        #expect(fromEnvironment.slowdown == 2.5)
        let path = try temporaryDirectory("slowdown").appendingPathComponent("w.yaml").path
        try "coordinator: h:1\ndata_root: /d\nslowdown: 4\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try LayeredConfig.load(WorkerSettings.self, file: path, environment: [:], flags: [:]).slowdown == 4)
    }

    @Test func rejectsFactorsBelowOneOrNotFiniteOrNotNumbers() {
        for bad in ["0.5", "0", "-2", "inf", ".nan", "fast"] {
            let error = failure {
                _ = try LayeredConfig.load(WorkerSettings.self, file: nil, environment: [:], flags: required.merging(["slowdown": bad]) { $1 })
            }
            #expect(error?.key == "slowdown", "slowdown \(bad) was accepted")
            #expect(error?.source == "flag --slowdown")
        }
    }
}
