import CSQLite
import Synchronization

/// One value bound to or read from a SQLite statement.
enum SQLiteValue: Sendable, Hashable {
    case integer(Int64)
    case text(String)
    case null

    /// The text, or nil for another kind.
    var text: String? { if case .text(let s) = self { s } else { nil } }
    /// The integer, or nil for another kind.
    var integer: Int64? { if case .integer(let i) = self { i } else { nil } }
}

/// A SQLite connection in WAL mode with `synchronous = FULL`: a committed transaction survives a crash
/// or power loss. Every call is serialized by a mutex (one connection per process).
final class SQLiteDatabase: Sendable {
    private struct Handle: @unchecked Sendable { let pointer: OpaquePointer }
    private let handle: Mutex<Handle>
    let path: String

    /// Opens (creating if needed) the database at `path`.
    init(path: String) throws(CoordinatorStoreError) {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close(db) }
            throw CoordinatorStoreError("cannot open the coordinator store \(path): \(message)")
        }
        sqlite3_busy_timeout(db, 5000)
        handle = Mutex(Handle(pointer: db))
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA synchronous = FULL")
    }

    deinit {
        handle.withLock { _ = sqlite3_close_v2($0.pointer) }
    }

    /// Runs SQL without results (several statements allowed).
    func execute(_ sql: String) throws(CoordinatorStoreError) {
        try handle.withLock { (h) throws(CoordinatorStoreError) in
            var error: UnsafeMutablePointer<CChar>?
            guard sqlite3_exec(h.pointer, sql, nil, nil, &error) == SQLITE_OK else {
                let message = error.map { String(cString: $0) } ?? "unknown error"
                sqlite3_free(error)
                throw CoordinatorStoreError("\(path): \(message) (in: \(sql.prefix(80)))")
            }
        }
    }

    /// Runs `body` inside one transaction: committed when it returns, rolled back when it throws.
    func transaction<R>(_ body: (Connection) throws(CoordinatorStoreError) -> R) throws(CoordinatorStoreError) -> R {
        try handle.withLock { (h) throws(CoordinatorStoreError) -> R in
            let connection = Connection(pointer: h.pointer, path: path)
            try connection.run("BEGIN IMMEDIATE")
            do throws(CoordinatorStoreError) {
                let result = try body(connection)
                try connection.run("COMMIT")
                return result
            } catch {
                try? connection.run("ROLLBACK")
                throw error
            }
        }
    }

    /// Runs a query and returns its rows.
    func query(_ sql: String, _ bindings: [SQLiteValue] = []) throws(CoordinatorStoreError) -> [[SQLiteValue]] {
        try handle.withLock { (h) throws(CoordinatorStoreError) in
            try Connection(pointer: h.pointer, path: path).query(sql, bindings)
        }
    }

    /// Statements on the locked connection (only valid inside `transaction` or `query`).
    struct Connection {
        let pointer: OpaquePointer
        let path: String

        /// Runs one statement without results.
        func run(_ sql: String, _ bindings: [SQLiteValue] = []) throws(CoordinatorStoreError) {
            _ = try query(sql, bindings)
        }

        /// Runs one statement and returns its rows.
        func query(_ sql: String, _ bindings: [SQLiteValue] = []) throws(CoordinatorStoreError) -> [[SQLiteValue]] {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(pointer, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
                throw failure(sql)
            }
            defer { sqlite3_finalize(statement) }
            let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
            for (i, value) in bindings.enumerated() {
                let index = Int32(i + 1)
                switch value {
                case .integer(let v): sqlite3_bind_int64(statement, index, v)
                case .text(let s): sqlite3_bind_text(statement, index, s, -1, transient)
                case .null: sqlite3_bind_null(statement, index)
                }
            }
            var rows: [[SQLiteValue]] = []
            while true {
                let rc = sqlite3_step(statement)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else { throw failure(sql) }
                var row: [SQLiteValue] = []
                for column in 0..<sqlite3_column_count(statement) {
                    switch sqlite3_column_type(statement, column) {
                    case SQLITE_INTEGER: row.append(.integer(sqlite3_column_int64(statement, column)))
                    case SQLITE_NULL: row.append(.null)
                    default: row.append(.text(sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""))
                    }
                }
                rows.append(row)
            }
            return rows
        }

        private func failure(_ sql: String) -> CoordinatorStoreError {
            CoordinatorStoreError("\(path): \(String(cString: sqlite3_errmsg(pointer))) (in: \(sql.prefix(80)))")
        }
    }
}
