import Foundation

/// Replays corpus files through a fuzz body without libFuzzer (plain builds, scripts/test).
public enum Replay {
    /// Runs `body` on every file named by `arguments` (directories are walked); returns the exit status.
    public static func run(arguments: [String], target: String, writeSeeds: (String) throws -> Int, body: ([UInt8]) -> Void) -> Int32 {
        if arguments.first == "--write-seeds", arguments.count == 2 {
            do {
                let count = try writeSeeds(arguments[1])
                print("\(target): wrote \(count) seed inputs to \(arguments[1])")
                return 0
            } catch {
                print("\(target): cannot write seeds: \(error)")
                return 1
            }
        }
        guard !arguments.isEmpty, !arguments.contains(where: { $0.hasPrefix("-") }) else {
            print("usage: \(target) FILE|DIR...   (replays inputs; built by scripts/fuzz it runs libFuzzer)")
            print("       \(target) --write-seeds DIR")
            return arguments.isEmpty ? 0 : 2
        }
        var files: [String] = []
        for path in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                print("\(target): \(path) does not exist")
                return 2
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        var bytes = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            body([UInt8](data))
            bytes += data.count
        }
        print("\(target): replayed \(files.count) inputs (\(bytes) bytes), no crash")
        return 0
    }
}
