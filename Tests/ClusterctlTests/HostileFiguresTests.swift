import ClusterPresentation
import Foundation
import Testing

/// Figures the coordinator sends (times, rates) are outside values: presentation never traps on them.
@Suite struct HostileFiguresTests {
    @Test func truncationHoldsAtIntBoundsAndMapsNaNToZero() {
        #expect(JobPresentation.truncated(.nan) == 0)
        #expect(JobPresentation.truncated(.infinity) == .max)
        #expect(JobPresentation.truncated(-.infinity) == .min)
        #expect(JobPresentation.truncated(1e300) == .max && JobPresentation.truncated(-1e300) == .min)
        #expect(JobPresentation.truncated(-2.9) == -2 && JobPresentation.truncated(2.9) == 2)
    }

    @Test func agesOfHostileTimesAreText() {
        for time in [Double.nan, .infinity, -.infinity, -1, 0, .leastNonzeroMagnitude, .greatestFiniteMagnitude] {
            let text = JobPresentation.ageText(since: time)
            #expect(!text.isEmpty, "age of \(time)")
        }
        #expect(JobPresentation.ageText(since: Date().timeIntervalSince1970 - 30).hasSuffix("s"))
        #expect(JobPresentation.ageText(since: .greatestFiniteMagnitude) == "0s")
    }
}
