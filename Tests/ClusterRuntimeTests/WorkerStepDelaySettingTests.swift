import ClusterRuntime
import Foundation
import Testing

/// `workerd --step-delay DIST` / `--step-delay-seed`: layering, the seed's default, and refusals naming the key.
struct WorkerStepDelaySettingTests {
    private let required = ["coordinator": "h:1", "data_root": "/d", "name": "worker-3"]

    private func failure(_ flags: [String: String]) -> ConfigError? {
        do {
            _ = try LayeredConfig.load(WorkerSettings.self, file: nil, environment: [:], flags: required.merging(flags) { $1 })
        } catch { return error }
        return nil
    }

    @Test func offByDefaultAndReachesTheConfigFromFlagEnvironmentOrFile() throws {
        let plain = try LayeredConfig.load(WorkerSettings.self, file: nil, environment: [:], flags: required)
        #expect(plain.stepDelay == nil)
        #expect(try plain.makeConfig().stepDelay == nil)

        let flagged = try LayeredConfig.load(
            WorkerSettings.self, file: nil, environment: ["TESSERA_STEP_DELAY": "constant:5"],
            flags: required.merging(["step_delay": "normal:100,20", "step_delay_seed": "42"]) { $1 })
        #expect(try flagged.makeConfig().stepDelay == StepDelay(.normal(meanMs: 100, stddevMs: 20), seed: 42))

        // Without a seed, the node name's: the same name draws the same sequence in every run.
        let fromEnvironment = try LayeredConfig.load(
            WorkerSettings.self, file: nil, environment: ["TESSERA_STEP_DELAY": "lognormal:80,0.5"], flags: required)
        #expect(try fromEnvironment.makeConfig().stepDelay == StepDelay(.lognormal(medianMs: 80, sigma: 0.5), seed: StepDelay.seed(forName: "worker-3")))

        let directory = try temporaryDirectory("step-delay")
        let times = directory.appendingPathComponent("times.txt").path
        try "12\n30\n7\n".write(toFile: times, atomically: true, encoding: .utf8)
        let yaml = directory.appendingPathComponent("w.yaml").path
        try "coordinator: h:1\ndata_root: /d\nname: w\nstep_delay: \"empirical:\(times)\"\nstep_delay_seed: 9\n".write(toFile: yaml, atomically: true, encoding: .utf8)
        let fromFile = try LayeredConfig.load(WorkerSettings.self, file: yaml, environment: [:], flags: [:])
        #expect(try fromFile.makeConfig().stepDelay == StepDelay(.empirical(samplesMs: [12, 30, 7]), seed: 9))
        #expect(try fromFile.makeConfig().slowdown == 1)  // slowdown is independent and still works beside it
    }

    @Test func refusesBadValuesNamingTheFlagAndTheProblem() {
        for (bad, expected) in [
            ("normal:100", "takes 2 numbers"), ("constant:-1", "between 0 and 3600000"), ("constant:nan", "finite number"),
            ("gamma:1,2", "not a distribution"), ("empirical:/nonexistent/times.txt", "cannot read the empirical file"),
        ] {
            let error = failure(["step_delay": bad])
            #expect(error?.key == "step_delay", "\(bad) was accepted")
            #expect(error?.source == "flag --step-delay")
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "accepted")")
        }
        for bad in ["-1", "18446744073709551616", "seven", "1.5"] {
            #expect(failure(["step_delay": "constant:1", "step_delay_seed": bad])?.key == "step_delay_seed", "seed \(bad) was accepted")
        }
        #expect(failure(["step_delay_seed": "3"])?.description.contains("needs step_delay") == true)
    }
}
