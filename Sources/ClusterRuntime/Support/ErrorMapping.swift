import Coordinator
import GRPCCore
import Training

/// The one table that turns the modules' errors into gRPC statuses, and gRPC statuses back into
/// `RuntimeFailure`s a person can act on.
extension RuntimeFailure.Code {
    /// The gRPC status code of this failure.
    var rpcCode: RPCError.Code {
        switch self {
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .alreadyExists: .alreadyExists
        case .failedPrecondition: .failedPrecondition
        case .resourceExhausted: .resourceExhausted
        case .unavailable: .unavailable
        case .deadlineExceeded: .deadlineExceeded
        case .cancelled: .cancelled
        case .unauthenticated: .unauthenticated
        case .unimplemented: .unimplemented
        case .outOfRange: .outOfRange
        case .aborted: .aborted
        case .dataLoss: .dataLoss
        case .internalError: .internalError
        }
    }

    /// The failure code of a gRPC status code.
    init(_ code: RPCError.Code) {
        switch code {
        case .invalidArgument: self = .invalidArgument
        case .notFound: self = .notFound
        case .alreadyExists: self = .alreadyExists
        case .failedPrecondition: self = .failedPrecondition
        case .resourceExhausted: self = .resourceExhausted
        case .unavailable: self = .unavailable
        case .deadlineExceeded: self = .deadlineExceeded
        case .cancelled: self = .cancelled
        case .unauthenticated, .permissionDenied: self = .unauthenticated
        case .unimplemented: self = .unimplemented
        case .outOfRange: self = .outOfRange
        case .aborted: self = .aborted
        case .dataLoss: self = .dataLoss
        default: self = .internalError
        }
    }
}

extension RuntimeFailure {
    /// Converts any error raised while serving a request into a failure with the right code.
    init(serving error: any Error) {
        switch error {
        case let error as CoordinatorError:
            let code: Code =
                switch error.code {
                case .invalidSpec, .invalidVariables, .invalidNode, .invalidConfig, .invalidReport: .invalidArgument
                case .resourceExhausted: .resourceExhausted
                case .unknownJob, .unknownNode: .notFound
                case .invalidState: .failedPrecondition
                case .unauthenticated: .unauthenticated
                case .nameTaken: .alreadyExists
                case .busy: .aborted
                case .recovering: .unavailable
                default: .internalError
                }
            self.init(code, error.description)
        case let error as RPCError:
            self.init(Code(error.code), error.message)
        default:
            // A shard's errors (store, wire, spec, cancellation) and RuntimeFailures themselves: the data plane's table.
            self.init(shardError: error)
        }
    }

    /// A failure from a gRPC error answered by `peer`, phrased for the person who asked.
    init(error: RPCError, peer: HostPort, doing what: String = "") {
        let action = what.isEmpty ? "" : " to \(what)"
        switch error.code {
        case .unavailable:
            self.init(.unavailable, "could not reach \(peer)\(action): is the daemon running there? (\(error.message))")
        case .deadlineExceeded:
            self.init(.deadlineExceeded, "\(peer) did not answer in time\(action) (\(error.message))")
        default:
            self.init(Code(error.code), "\(peer): \(error.message)")
        }
    }
}

extension RPCError {
    /// The gRPC status for any error raised while serving a request.
    init(failure error: any Error) {
        if let rpc = error as? RPCError {
            self = rpc
            return
        }
        let failure = RuntimeFailure(serving: error)
        self.init(code: failure.code.rpcCode, message: failure.message)
    }
}
