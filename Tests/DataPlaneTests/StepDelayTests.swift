import Foundation
import Testing
import WorkerCore

/// `workerd --step-delay DIST`: each form parses, hostile values are refused naming the problem, and the seeded
/// draws have the distribution's statistics (checked over many draws, never by timing anything).
@Suite struct StepDelayTests {
    private func parse(_ text: String, file: String? = nil) throws(StepDelay.ParseError) -> StepDelay.Distribution {
        try StepDelay.Distribution(parsing: text) { (path: String) throws(StepDelay.ParseError) -> String in
            guard let file else { return try StepDelay.readEmpiricalFile(path) }
            return file
        }
    }

    private func refusal(_ text: String, file: String? = nil) -> String? {
        do { _ = try parse(text, file: file) } catch { return error.message }
        return nil
    }

    private func draws(_ distribution: StepDelay.Distribution, seed: UInt64 = 7, count: Int = 20_000) -> [Double] {
        var sampler = StepDelay(distribution, seed: seed).makeSampler()
        return (0..<count).map { _ in sampler.nextMilliseconds() }
    }

    @Test func parsesEachForm() throws {
        #expect(try parse("constant:25") == .constant(ms: 25))
        #expect(try parse("normal:100, 20") == .normal(meanMs: 100, stddevMs: 20))
        #expect(try parse("lognormal:80,0.5") == .lognormal(medianMs: 80, sigma: 0.5))
        #expect(try parse("empirical:times.txt", file: "# step times\n12\n\n30.5\r\n7\n") == .empirical(samplesMs: [12, 30.5, 7]))
        #expect(try parse("constant:0") == .constant(ms: 0))
        #expect(try parse("constant:3600000") == .constant(ms: 3_600_000))
    }

    @Test func refusesBadFormsNamingTheProblem() throws {
        let cases: [(String, String)] = [
            ("25", "has no form"),
            ("uniform:1,2", "'uniform' is not a distribution"),
            ("constant:", "must be a finite number"),
            ("constant:fast", "must be a finite number"),
            ("constant:1,2", "takes 1 number"),
            ("normal:100", "takes 2 numbers"),
            ("constant:-5", "between 0 and 3600000"),
            ("normal:100,-1", "STDDEV_MS must be between 0"),
            ("constant:nan", "must be a finite number"),
            ("normal:inf,1", "must be a finite number"),
            ("constant:1e400", "must be a finite number"),
            ("constant:3600001", "between 0 and 3600000"),
            ("constant:1e300", "between 0 and 3600000"),
            ("lognormal:80,11", "SIGMA must be between 0 and 10"),
            ("lognormal:80,-0.1", "SIGMA must be between 0 and 10"),
            ("lognormal:-80,1", "MEDIAN_MS must be between 0"),
            ("empirical:", "needs a file"),
            ("constant:" + String(repeating: "1", count: 5000), "at most 4096"),
        ]
        for (text, expected) in cases {
            let message = refusal(text)
            #expect(message?.contains(expected) == true, "\(text.prefix(30)): \(message ?? "accepted")")
        }
    }

    @Test func refusesBadEmpiricalFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("step-delay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("absent.txt").path
        #expect(refusal("empirical:\(missing)")?.contains("cannot read the empirical file \(missing)") == true)
        #expect(refusal("empirical:\(directory.path)")?.contains("is not a regular file") == true)
        #expect(refusal("empirical:/dev/zero")?.contains("is not a regular file") == true)

        let tooMany = directory.appendingPathComponent("many.txt")
        try String(repeating: "5\n", count: StepDelay.maxEmpiricalLines + 1).write(to: tooMany, atomically: true, encoding: .utf8)
        #expect(refusal("empirical:\(tooMany.path)")?.contains("more than 100000 step times") == true)
        let justEnough = directory.appendingPathComponent("enough.txt")
        try String(repeating: "5\n", count: StepDelay.maxEmpiricalLines).write(to: justEnough, atomically: true, encoding: .utf8)
        #expect(try parse("empirical:\(justEnough.path)") == .empirical(samplesMs: Array(repeating: 5, count: StepDelay.maxEmpiricalLines)))

        let huge = directory.appendingPathComponent("huge.txt")
        try Data(count: StepDelay.maxEmpiricalBytes + 1).write(to: huge)
        #expect(refusal("empirical:\(huge.path)")?.contains("at most \(StepDelay.maxEmpiricalBytes)") == true)
        let binary = directory.appendingPathComponent("binary.txt")
        try Data([0x31, 0xff, 0xfe, 0x0a]).write(to: binary)
        #expect(refusal("empirical:\(binary.path)")?.contains("not UTF-8") == true)

        for (text, expected) in [
            ("12\n-3\n", "line 2: '-3'"), ("12\nnan\n", "line 2: 'nan'"), ("inf\n", "line 1"), ("1e9\n", "line 1: '1e9'"),
            ("12,0.5\n", "line 1: '12,0.5'"), ("# only a comment\n\n", "holds no step times"), ("", "holds no step times"),
        ] {
            let message = refusal("empirical:f.txt", file: text)
            #expect(message?.contains(expected) == true, "\(text.debugDescription): \(message ?? "accepted")")
            #expect(message?.contains("f.txt") == true)
        }
    }

    @Test func constantDrawsExactly() {
        #expect(Set(draws(.constant(ms: 42.5), count: 1000)) == [42.5])
        var sampler = StepDelay(.constant(ms: 1.5), seed: 1).makeSampler()
        #expect(sampler.nextDelay() == .microseconds(1500))
    }

    @Test func normalHasItsMeanAndStandardDeviation() {
        let values = draws(.normal(meanMs: 100, stddevMs: 20))
        let mean = values.reduce(0, +) / Double(values.count)
        let stddev = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        #expect(abs(mean - 100) < 1, "mean \(mean)")
        #expect(abs(stddev - 20) < 1, "stddev \(stddev)")
        // Truncated at 0: a mean of 0 draws only the upper half.
        let truncated = draws(.normal(meanMs: 0, stddevMs: 10))
        #expect(truncated.allSatisfy { $0 >= 0 })
        #expect(truncated.contains { $0 > 10 })
    }

    @Test func lognormalHasItsMedian() {
        let values = draws(.lognormal(medianMs: 80, sigma: 0.5)).sorted()
        let median = values[values.count / 2]
        #expect(abs(median - 80) < 2, "median \(median)")
        // log of the draws: standard deviation sigma.
        let logs = values.map { log($0) }
        let mean = logs.reduce(0, +) / Double(logs.count)
        let sigma = (logs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(logs.count - 1)).squareRoot()
        #expect(abs(sigma - 0.5) < 0.02, "sigma \(sigma)")
        // A huge sigma never draws beyond the bound nor a non-finite value.
        #expect(draws(.lognormal(medianMs: 3_600_000, sigma: 10), count: 2000).allSatisfy { $0.isFinite && $0 >= 0 && $0 <= StepDelay.maxMilliseconds })
    }

    @Test func empiricalDrawsOnlyTheFilesValuesInProportion() {
        let samples: [Double] = [10, 20, 20, 20, 50]
        let values = draws(.empirical(samplesMs: samples))
        #expect(Set(values) == Set(samples))
        let share = Double(values.filter { $0 == 20 }.count) / Double(values.count)
        #expect(abs(share - 0.6) < 0.02, "share of 20 ms \(share)")
    }

    @Test func theSameSeedDrawsTheSameSequence() {
        for distribution: StepDelay.Distribution in [.normal(meanMs: 50, stddevMs: 10), .lognormal(medianMs: 30, sigma: 1), .empirical(samplesMs: [1, 2, 3, 4])] {
            #expect(draws(distribution, seed: 11, count: 200) == draws(distribution, seed: 11, count: 200))
            #expect(draws(distribution, seed: 11, count: 200) != draws(distribution, seed: 12, count: 200))
        }
        #expect(StepDelay.seed(forName: "worker-7") == StepDelay.seed(forName: "worker-7"))
        #expect(StepDelay.seed(forName: "worker-7") != StepDelay.seed(forName: "worker-8"))
    }
}
