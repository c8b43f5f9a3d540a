/// The coordinator's studies by id, with the ids changed since the changes were last taken (persisted O(changed)).
struct StudyTable: Sendable {
    private var storage: [StudyID: StudyRecord] = [:]
    /// Studies whose record changed since the last `takeChanges()`.
    private(set) var changed: Set<StudyID> = []
    /// Studies deleted since the last `takeChanges()`.
    private(set) var removed: Set<StudyID> = []

    /// Empty.
    init() {}

    /// Loads records as they are stored: nothing counts as changed.
    init(restoring records: [StudyRecord]) {
        for record in records { storage[record.id] = record }
    }

    /// A study by id; setting a different record marks it changed.
    subscript(id: StudyID) -> StudyRecord? {
        get { storage[id] }
        set {
            guard storage[id] != newValue else { return }
            guard let newValue else { return remove(id) }
            storage[id] = newValue
            changed.insert(id)
            removed.remove(id)
        }
    }

    /// Deletes a study.
    mutating func remove(_ id: StudyID) {
        guard storage.removeValue(forKey: id) != nil else { return }
        changed.remove(id)
        removed.insert(id)
    }

    /// How many studies there are.
    var count: Int { storage.count }

    /// Every record, by id.
    var all: [StudyRecord] { storage.keys.sorted().compactMap { storage[$0] } }

    /// Every id, unordered.
    var keys: Dictionary<StudyID, StudyRecord>.Keys { storage.keys }

    /// Running studies, oldest first.
    var running: [StudyID] { storage.values.filter { !$0.state.isTerminal }.map(\.id).sorted() }

    /// Drains the change sets: the changed records and the deleted ids, by id.
    mutating func takeChanges() -> (changed: [StudyRecord], removed: [StudyID]) {
        let records = changed.sorted().compactMap { storage[$0] }
        let gone = removed.sorted()
        changed = []
        removed = []
        return (records, gone)
    }
}
