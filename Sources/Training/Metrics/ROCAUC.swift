/// Exact area under the ROC curve for binary labels.
public enum ROCAUC {
    /// The Mann–Whitney AUC of `scores` against 0/1 `labels` (label ≥ 0.5 is positive), tied
    /// scores counted as half; nil when either class is absent or the counts differ.
    public static func compute(scores: [Float], labels: [Float]) -> Double? {
        guard scores.count == labels.count else { return nil }
        let n = scores.count
        let order = (0..<n).sorted { scores[$0] < scores[$1] }
        var positiveRankSum = 0.0
        var positives = 0
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            // Ranks i+1 … j+1 share their average.
            let averageRank = Double(i + j + 2) / 2
            for k in i...j where labels[order[k]] >= 0.5 {
                positiveRankSum += averageRank
                positives += 1
            }
            i = j + 1
        }
        let negatives = n - positives
        guard positives > 0, negatives > 0 else { return nil }
        let p = Double(positives)
        return (positiveRankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }
}
