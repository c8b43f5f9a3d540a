import Testing

/// Every suite that starts real processes runs inside this one, one test at a time: their helpers
/// block while processes run, and two of them at once would take both of a 2-core machine's
/// concurrency threads from the in-process tests beside them (whose RPC deadlines then expire).
@Suite(.serialized) struct EndToEndProcesses {}
