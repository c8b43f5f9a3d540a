/// What a model predicts, which fixes its loss, output width and metrics.
public enum TaskKind: Sendable, Hashable, Codable {
    /// One real-valued output, mean squared error.
    case regression
    /// One logit, sigmoid cross-entropy; labels are 0 or 1.
    case binaryClassification
    /// `classes` logits, softmax cross-entropy; labels are class ids.
    case multiclass(classes: Int)

    /// Number of model outputs per row.
    public var outputWidth: Int {
        switch self {
        case .regression, .binaryClassification: 1
        case .multiclass(let classes): classes
        }
    }
}
