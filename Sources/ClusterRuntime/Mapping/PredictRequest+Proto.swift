import ClusterAPI
import Training

extension PredictRequest {
    /// The instances of a gRPC `Predict` request, checked as a JSON body is (`PredictRequest.Limits`): the instance count
    /// before any instance is converted, each instance's value count before its values are; INVALID_ARGUMENT naming an
    /// instance that is neither a row of numbers nor named values.
    public init(proto request: Tessera_V1_PredictRequest, limits: Limits) throws(RuntimeFailure) {
        let instances = request.instances
        try self.init(count: instances.count, limits: limits) { (i: Int) throws(RuntimeFailure) -> RawExample in
            switch instances[i].example {
            case .row(let row):
                return try Self.numbers(row.values, instance: i, limits: limits)
            case .fields(let named):
                return try Self.fields(count: named.values.count, instance: i, limits: limits) {
                    named.values.mapValues(Preprocessing.RawValue.init(proto:))
                }
            case nil:
                throw RuntimeFailure(.invalidArgument, "instance \(i): neither a row of numbers nor named values (set PredictInstance.row or .fields)")
            }
        }
    }

    /// The gRPC request asking `model` for these instances (`clusterctl predict --grpc` sends a JSON file's this way).
    public func proto(model: String) -> Tessera_V1_PredictRequest {
        .with {
            $0.model = model
            $0.instances = instances.map { instance in
                .with {
                    switch instance {
                    case .numbers(let values): $0.row = .with { $0.values = values }
                    case .fields(let fields): $0.fields = .with { $0.values = fields.mapValues(\.proto) }
                    }
                }
            }
        }
    }
}

extension Preprocessing.RawValue {
    /// A gRPC feature value: a number, text, or missing when neither is set.
    init(proto value: Tessera_V1_FeatureValue) {
        switch value.kind {
        case .number(let number): self = .number(number)
        case .text(let text): self = .text(text)
        case nil: self = .missing
        }
    }

    /// The gRPC form (missing: neither set).
    var proto: Tessera_V1_FeatureValue {
        .with {
            switch self {
            case .number(let number): $0.number = number
            case .text(let text): $0.text = text
            case .missing: break
            }
        }
    }
}
