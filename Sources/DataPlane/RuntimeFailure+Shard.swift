import JobSpec
import ParameterStore
import TensorWire

extension RuntimeFailure {
    /// The failure a shard answers for an error raised while serving a data-plane request: the store's, the wire
    /// format's and the spec's errors get the status a client can act on (every transport answers with these).
    public init(shardError error: any Error) {
        switch error {
        case let failure as RuntimeFailure:
            self = failure
        case let error as StoreError:
            let code: Code =
                switch error.code {
                case .notFound: .notFound
                case .alreadyExists: .alreadyExists
                case .invalidArgument, .nonFinite, .futureVersion: .invalidArgument
                case .failedPrecondition: .failedPrecondition
                case .resourceExhausted: .resourceExhausted
                case .deadlineExceeded: .deadlineExceeded
                case .cancelled: .cancelled
                default: .internalError
                }
            self.init(code, error.message)
        case let error as WireError:
            self.init(error.code == .limitExceeded ? .resourceExhausted : .invalidArgument, "malformed TensorWire frame: \(error.message)")
        case let error as SpecError:
            self.init(.invalidArgument, error.description)
        case is CancellationError:
            self.init(.cancelled, "the request was cancelled")
        default:
            self.init(.internalError, "\(error)")
        }
    }
}
