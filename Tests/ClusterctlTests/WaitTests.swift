import ClusterAPI
import ClusterPresentation
import Testing

/// `wait --for`: which states meet, end or keep the wait; exit codes are distinct; durations are bounded.
struct WaitTests {
    @Test func conditionsAgainstEveryState() {
        let states: [Tessera_V1_JobState] = [.pending, .running, .recovering, .succeeded, .failed, .cancelled]
        #expect(states.map { WaitCondition.succeeded.outcome($0) } == [.notYet, .notYet, .notYet, .met, .endedOtherwise(.jobFailed), .endedOtherwise(.jobCancelled)])
        #expect(states.map { WaitCondition.ended.outcome($0) } == [.notYet, .notYet, .notYet, .met, .met, .met])
        #expect(states.map { WaitCondition.running.outcome($0) } == [.notYet, .met, .notYet, .endedOtherwise(.jobFailed), .endedOtherwise(.jobFailed), .endedOtherwise(.jobCancelled)])
    }

    @Test func exitCodesAreDistinctAndKeepWatchsMeaningOfOneAndTwo() {
        let codes = WaitExit.allCases.map(\.rawValue)
        #expect(Set(codes).count == codes.count)
        #expect(WaitExit.met.rawValue == 0 && WaitExit.jobFailed.rawValue == 1 && WaitExit.jobCancelled.rawValue == 2)
        #expect(WaitExit.unreachable.rawValue == 3 && WaitExit.timeout.rawValue == 4 && WaitExit.usage.rawValue == 64)
    }

    @Test func durationsAsPeopleWriteThem() throws {
        #expect(try DurationText.seconds("90") == 90)
        #expect(try DurationText.seconds("30s") == 30)
        #expect(try DurationText.seconds("10m") == 600)
        #expect(try DurationText.seconds("1h30m") == 5400)
        #expect(try DurationText.seconds("500ms") == 0.5)
        #expect(try DurationText.seconds("1.5h") == 5400)
        #expect(try DurationText.seconds("0") == 0)
        #expect(try DurationText.seconds("720h") == DurationText.maxSeconds)
    }

    @Test func badOrHugeDurationsAreRefusedWithTheLimit() {
        for text in ["", "5x", "m", "-1s", "-5", "nan", "inf", "1e400", "1h-5m", "٣s", String(repeating: "9", count: 100)] {
            #expect(throws: DurationError.self, "\(text)") { try DurationText.seconds(text) }
        }
        do {
            _ = try DurationText.seconds("721h")
            Issue.record("721h accepted")
        } catch {
            #expect(error.description.contains("the wait limit"))
        }
        #expect(throws: DurationError.self) { try DurationText.seconds(String(repeating: "9999999h", count: 8)) }
    }
}
