// The coordinator speaks the job spec's words in its whole API (submit, records, budgets), so every module that
// imports Coordinator sees the JobSpec module's types as well.
@_exported import JobSpec
