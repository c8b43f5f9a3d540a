import ClusterAPI
import ClusterPresentation
import Testing

/// `jobs --watch`: after the first list, only jobs whose row changed (AGE aside) print again.
struct JobListChangesTests {
    @Test func firstListPrintsEveryJobThenOnlyChanges() {
        var changes = JobListChanges(wide: false)
        let running = Fixtures.runningJob, pending = Fixtures.pendingJob
        #expect(changes.update([pending, running]).map(\.id) == ["job-7", "job-8"])  // oldest first
        #expect(changes.update([pending, running]).isEmpty)
        var later = pending
        later.createdAt -= 3600  // AGE alone does not count
        #expect(changes.update([later, running]).isEmpty)
        later.state = .running
        later.step = 5
        #expect(changes.update([later, running]).map(\.id) == ["job-8"])
        var new = pending
        new.id = "job-9"
        #expect(changes.update([new, later, running]).map(\.id) == ["job-9"])
    }

    @Test func rowsLineUpUnderTheFirstHeader() {
        let table = JobPresentation.jobsTable([Fixtures.runningJob])
        var later = Fixtures.pendingJob
        later.name = "short"
        let line = TableRenderer.line(JobPresentation.jobRow(later, wide: false), widths: table.columnWidths)
        let header = table.render().split(separator: "\n")[0]
        #expect(line.firstRange(of: "PENDING")?.lowerBound.utf16Offset(in: line) == header.firstRange(of: "STATE")?.lowerBound.utf16Offset(in: header))
        // More cells than widths, or cells wider than their column, never trap.
        #expect(TableRenderer.line(["a", "bbbbbbbb", "c"], widths: [1, 2]) == "a  bbbbbbbb  c")
    }
}
