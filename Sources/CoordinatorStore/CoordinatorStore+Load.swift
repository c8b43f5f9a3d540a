import Coordinator
import Foundation

extension CoordinatorStore {
    /// The stored state, or nil when the store is empty (a new coordinator). A job row that does not decode becomes
    /// a FAILED stand-in naming the problem (`JobRecord.unloadable`), a node row that does not decode is skipped (the
    /// node registers again): one damaged row never stops the coordinator. Both are logged.
    public func load() throws(CoordinatorStoreError) -> CoordinatorSnapshot? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let nodeRows = try database.query("SELECT id, record FROM nodes ORDER BY id")
        let jobRows = try database.query("SELECT id, record FROM jobs ORDER BY id")
        let next = try database.query("SELECT value FROM meta WHERE key = 'next_job_id'").first?.first?.text.flatMap { UInt64($0) }
        let studyRows = try database.query("SELECT id, record FROM studies ORDER BY id")
        let nextStudy = try database.query("SELECT value FROM meta WHERE key = 'next_study_id'").first?.first?.text.flatMap { UInt64($0) }
        guard !nodeRows.isEmpty || !jobRows.isEmpty || next != nil || !studyRows.isEmpty else { return nil }
        var nodes: [NodeRecord] = []
        for row in nodeRows {
            do {
                nodes.append(try decoder.decode(NodeRecord.self, from: Data(try Self.text(of: row).utf8)))
            } catch {
                logger.error("stored node could not be loaded; it will register again", metadata: [
                    "store": "\(path)", "row": "\(row.first?.integer ?? -1)", "error": "\(Self.describe(error))",
                ])
            }
        }
        var jobs: [JobRecord] = []
        for row in jobRows {
            guard let number = row.first?.integer, number > 0 else {
                logger.error("stored job row without a valid id skipped", metadata: ["store": "\(path)"])
                continue
            }
            let id = JobID(UInt64(number))
            let text = (try? Self.text(of: row)) ?? ""
            do {
                let job = try decoder.decode(JobRecord.self, from: Data(text.utf8))
                guard job.id == id else { throw CoordinatorStoreError("the record names \(job.id), its row is \(id)") }
                jobs.append(job)
            } catch {
                let problem = Self.describe(error)
                logger.error("stored job could not be loaded; it shows as FAILED", metadata: ["store": "\(path)", "job": "\(id)", "error": "\(problem)"])
                let salvaged = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
                let name = (salvaged?["spec"] as? [String: Any])?["name"] as? String
                jobs.append(JobRecord.unloadable(
                    id: id, name: name.map { String($0.prefix(128)) }, submittedAt: salvaged?["submitted_at"] as? Double, problem: problem))
            }
        }
        var studies: [StudyRecord] = []
        var highestStudy: UInt64 = 0
        for row in studyRows {
            guard let number = row.first?.integer, number > 0 else {
                logger.error("stored study row without a valid id skipped", metadata: ["store": "\(path)"])
                continue
            }
            highestStudy = max(highestStudy, UInt64(number))
            do {
                let study = try decoder.decode(StudyRecord.self, from: Data(try Self.text(of: row).utf8))
                guard study.id.rawValue == UInt64(number) else { throw CoordinatorStoreError("the record names \(study.id), its row is study-\(number)") }
                studies.append(study)
            } catch {
                // A study is re-parsed and re-validated on load: one this version refuses is left out (its trial
                // jobs stay as jobs) and its number is never handed out again.
                logger.error("stored study could not be loaded; it is left out", metadata: [
                    "store": "\(path)", "study": "study-\(number)", "error": "\(Self.describe(error))",
                ])
            }
        }
        written.withLock { w in
            for n in nodes { w.nodes[n.id.rawValue] = Self.comparable(n) }
            for j in jobs where !j.state.isTerminal { w.states[j.id.rawValue] = Self.stateKey(j) }
            w.nextJobID = next
            w.nextStudyID = nextStudy
        }
        return CoordinatorSnapshot(
            nodes: nodes, jobs: jobs, nextJobID: next ?? 1, studies: studies,
            nextStudyID: max(nextStudy ?? 1, highestStudy < UInt64(Int64.max) ? highestStudy + 1 : highestStudy))
    }

    /// The record column of a row.
    static func text(of row: [SQLiteValue]) throws(CoordinatorStoreError) -> String {
        guard row.count == 2, let text = row[1].text else { throw CoordinatorStoreError("the row is malformed (no record text)") }
        return text
    }

    /// A decoding failure in one sentence: what is wrong and at which field.
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the record" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case DecodingError.dataCorrupted(let c):
            return c.codingPath.isEmpty ? "the record is not valid JSON" : "\(path(c.codingPath)): \(c.debugDescription)"
        case DecodingError.keyNotFound(let key, let c): return "\(path(c.codingPath + [key])) is missing"
        case DecodingError.typeMismatch(let type, let c): return "\(path(c.codingPath)) is not a \(type)"
        case DecodingError.valueNotFound(let type, let c): return "\(path(c.codingPath)) has no \(type) value"
        default: return "\(error)"
        }
    }
}
