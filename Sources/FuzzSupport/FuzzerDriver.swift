#if FUZZING
import Foundation

/// libFuzzer's C entry points as Swift sees them.
public enum FuzzerDriver {
    /// The per-input callback libFuzzer calls.
    public typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs libFuzzer's driver with the process arguments (`-max_total_time=…`, corpus dirs, …).
    public static func run(_ callback: Callback) -> Int32 {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        return withUnsafeMutablePointer(to: &argv) { pointer in
            llvmFuzzerRunDriver(&argc, pointer, callback)
        }
    }
}

@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: FuzzerDriver.Callback
) -> CInt
#endif
