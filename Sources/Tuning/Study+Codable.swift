extension Study: Codable {
    private enum CodingKeys: String, CodingKey { case spec, trials }

    /// Decodes a stored study, refusing trials that break its bounds (numbers out of order, too many trials or points,
    /// steps out of order, non-finite values, assignments outside the params).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let spec = try c.decode(StudySpec.self, forKey: .spec)
        let trials = try c.decode([Trial].self, forKey: .trials)
        func bad(_ message: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: .trials, in: c, debugDescription: "stored study is invalid: \(message)")
        }
        guard trials.count <= spec.maxTrials else { throw bad("\(trials.count) trials, more than max_trials \(spec.maxTrials)") }
        for (i, trial) in trials.enumerated() {
            guard trial.number == i + 1 else { throw bad("trial \(i + 1) is numbered \(trial.number)") }
            do { try spec.checkAssignment(trial.assignment) } catch { throw bad("trial \(trial.number): \(error)") }
            guard trial.points.count <= TuningLimits.seriesPoints else { throw bad("trial \(trial.number) has \(trial.points.count) points") }
            var previous = 0
            for p in trial.points {
                guard p.step > previous, TuningLimits.steps.contains(p.step), p.value.isFinite else {
                    throw bad("trial \(trial.number) has a point at step \(p.step) with value \(p.value)")
                }
                previous = p.step
            }
            if let v = trial.finalValue, !v.isFinite { throw bad("trial \(trial.number) has final value \(v)") }
            if let id = trial.jobID, id.isEmpty || id.utf8.count > Self.jobIDBytes { throw bad("trial \(trial.number) has a bad job id") }
            if let r = trial.reason, r.utf8.count > Self.reasonBytes * 4 { throw bad("trial \(trial.number) has an oversized reason") }
        }
        self.init(spec: spec)
        self.trials = trials
    }

    /// Encodes the study document and the trials.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(spec, forKey: .spec)
        try c.encode(trials, forKey: .trials)
    }
}
