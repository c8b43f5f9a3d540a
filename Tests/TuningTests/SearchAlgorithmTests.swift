import Foundation
import JobSpec
import Testing

@testable import Tuning

@Suite struct SearchAlgorithmTests {
    /// Whether every param of `assignment` holds a value the param admits (in range, integer, listed).
    static func withinBounds(_ assignment: [String: ParamValue], _ spec: StudySpec) -> Bool {
        assignment.count == spec.params.count && spec.params.allSatisfy { p in assignment[p.key].map(p.admits) ?? false }
    }

    @Test func gridCoversEveryCombinationOnceInAFixedOrder() throws {
        let spec = try standardStudy("grid", extra: "")
        let grid = GridSearch(params: spec.params)
        // lr 5 log-spaced points × 4 widths × 3 optimizers × batch 5 points.
        #expect(grid.size == 5 * 4 * 3 * 5)
        var seen = Set<[String: ParamValue]>()
        for n in 1...grid.size {
            let a = try #require(grid.propose(number: n, history: []))
            #expect(Self.withinBounds(a, spec))
            seen.insert(a)
        }
        #expect(seen.count == grid.size)
        #expect(grid.propose(number: grid.size + 1, history: []) == nil)
        // The last param varies fastest, the first slowest.
        #expect(grid.propose(number: 1, history: [])?["data.batch_size"] == .int(8))
        #expect(grid.propose(number: 2, history: [])?["data.batch_size"] == .int(22))
        #expect(grid.propose(number: 1, history: [])?["optimizer.learning_rate"] == .double(0.0001))
        #expect(grid.propose(number: grid.size, history: [])?["optimizer.learning_rate"] == .double(0.1))
    }

    @Test func gridPointsAreLogSpacedOnALogScale() throws {
        let spec = try standardStudy("grid")
        let lr = GridSearch.points(of: spec.params[0]).compactMap(\.number)
        #expect(lr.count == 5)
        #expect(lr.first == 0.0001 && lr.last == 0.1)
        let ratios = zip(lr.dropFirst(), lr).map { $0 / $1 }
        for r in ratios { #expect(abs(r - pow(1000, 0.25)) < 1e-9) }
        // Integers: evenly spaced, rounded, both ends kept.
        #expect(GridSearch.points(of: spec.params[3]) == [.int(8), .int(22), .int(36), .int(50), .int(64)])
    }

    @Test func randomDrawsStayInBoundsAndAreLogUniform() throws {
        let spec = try standardStudy("random")
        let random = RandomSearch(params: spec.params, seed: 42)
        var logs: [Double] = []
        var widths: [ParamValue: Int] = [:]
        for n in 1...4000 {
            let a = try #require(random.propose(number: n, history: []))
            #expect(Self.withinBounds(a, spec))
            logs.append(log10(try #require(a["optimizer.learning_rate"]?.number)))
            widths[a["model.hidden[0]"]!, default: 0] += 1
        }
        logs.sort()
        // Log-uniform on [1e-4, 1e-1]: the median sits at the geometric mean 10^-2.5, each decade gets a third.
        #expect(abs(logs[logs.count / 2] - (-2.5)) < 0.08)
        for decade in [-4.0, -3.0, -2.0] {
            let share = Double(logs.count { $0 >= decade && $0 < decade + 1 }) / Double(logs.count)
            #expect(abs(share - 1.0 / 3) < 0.04, "decade 1e\(Int(decade)): \(share)")
        }
        #expect(widths.count == 4 && widths.values.allSatisfy { $0 > 850 })
        // Deterministic: the same seed and number give the same draw.
        #expect(random.propose(number: 17, history: []) == RandomSearch(params: spec.params, seed: 42).propose(number: 17, history: []))
        #expect(random.propose(number: 17, history: []) != RandomSearch(params: spec.params, seed: 43).propose(number: 17, history: []))
    }

    /// A synthetic objective (maximize) peaking at lr = 10^-2.2, width 256, adam.
    static func objective(_ a: [String: ParamValue]) -> Double {
        let lr = a["optimizer.learning_rate"]?.number ?? 1
        let width = a["model.hidden[0]"]?.number ?? 64
        let bonus: Double = switch a["optimizer.type"] {
        case .string("adam"): 0
        case .string("momentum"): -0.3
        default: -0.6
        }
        let batch = a["data.batch_size"]?.number ?? 8
        return -pow(log10(lr) + 2.2, 2) - 0.1 * abs(log2(width / 256)) + bonus - 0.002 * abs(batch - 40)
    }

    /// The best objective an algorithm finds in `budget` sequential trials.
    static func bestFound(_ algorithm: any SearchAlgorithm, budget: Int, spec: StudySpec) -> Double {
        var history: [Observation] = []
        for n in 1...budget {
            guard let a = algorithm.propose(number: n, history: history) else { break }
            #expect(withinBounds(a, spec))
            history.append(Observation(assignment: a, value: objective(a)))
        }
        return history.map(\.value).max() ?? -.infinity
    }

    @Test func tpeFindsBetterValuesThanRandomWithTheSameBudget() throws {
        let spec = try standardStudy("tpe")
        var tpeWins = 0
        var tpeRegret = 0.0, randomRegret = 0.0
        let seeds: [UInt64] = Array(1...20)
        for seed in seeds {
            let tpe = Self.bestFound(TPESearch(params: spec.params, goal: .maximize, seed: seed), budget: 40, spec: spec)
            let random = Self.bestFound(RandomSearch(params: spec.params, seed: seed), budget: 40, spec: spec)
            if tpe >= random { tpeWins += 1 }
            tpeRegret -= tpe
            randomRegret -= random
        }
        // The optimum is 0; TPE's mean gap to it is well under random's, and it wins most seeds.
        #expect(tpeWins >= 16, "TPE at least as good as random on \(tpeWins)/\(seeds.count) seeds")
        #expect(tpeRegret < 0.5 * randomRegret, "mean regret TPE \(tpeRegret / 20), random \(randomRegret / 20)")
    }

    @Test func tpeProposalsAreDeterministicAndInBoundsForAMinimizedGoal() throws {
        let spec = try standardStudy("tpe")
        let tpe = TPESearch(params: spec.params, goal: .minimize, seed: 9, settings: TPESettings(startupTrials: 3, candidates: 16, gamma: 0.3))
        var history: [Observation] = []
        for n in 1...30 {
            let a = try #require(tpe.propose(number: n, history: history))
            #expect(Self.withinBounds(a, spec))
            #expect(tpe.propose(number: n, history: history) == a)
            history.append(Observation(assignment: a, value: -Self.objective(a), stopped: n % 5 == 0))
        }
        // The good trials pull later proposals toward the optimum's learning rate.
        let late = history.suffix(10).compactMap { $0.assignment["optimizer.learning_rate"]?.number }.map(log10)
        let lateMean = late.reduce(0, +) / Double(late.count)
        #expect(abs(lateMean - (-2.2)) < 0.6, "late mean log10(lr) \(lateMean)")
    }
}
