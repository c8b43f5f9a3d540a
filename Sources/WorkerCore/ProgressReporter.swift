import Training

/// Averages training figures over the steps since the last report and measures steps per second.
struct ProgressReporter {
    let interval: Duration
    private var lossSum: Double = 0
    private var correct = 0
    private var count = 0
    private var steps = 0
    private var windowStart = ContinuousClock.now
    private var last: TrainingFigures?
    private(set) var stepsPerSecond: Double = 0

    init(interval: Duration) { self.interval = interval }

    mutating func add(_ result: StepResult) {
        lossSum += Double(result.loss) * Double(result.count)
        correct += result.correct
        count += result.count
        steps += 1
    }

    var isDue: Bool { ContinuousClock.now - windowStart >= interval }

    /// The figures of the window since the last drain (the previous window's when no step ran since).
    mutating func drain() -> TrainingFigures? {
        let elapsed = ContinuousClock.now - windowStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if seconds > 0, steps > 0 { stepsPerSecond = Double(steps) / seconds }
        defer {
            lossSum = 0; correct = 0; count = 0; steps = 0
            windowStart = .now
        }
        guard count > 0 else { return last }
        let figures = TrainingFigures(loss: lossSum / Double(count), accuracy: Double(correct) / Double(count), count: count)
        last = figures
        return figures
    }
}
