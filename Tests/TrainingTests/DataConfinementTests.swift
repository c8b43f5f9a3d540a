import Foundation
import TensorWire
import Testing
@testable import Training

/// Data paths stay under the data root (absolute paths, `..` and escaping symlinks are refused,
/// naming the key) and no reader error carries the contents of the file it read.
@Suite struct DataConfinementTests {
    /// A root directory inside a scratch directory that also holds a file outside the root.
    func layout() throws -> (root: URL, outside: URL) {
        let scratch = try TestSupport.temporaryDirectory()
        let root = scratch.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let outside = scratch.appendingPathComponent("secret.csv")
        try Data("a,target\nSECRET-VALUE,1\n".utf8).write(to: outside)
        try Data("a,target\n1,0\n2,1\n".utf8).write(to: root.appendingPathComponent("ok.csv"))
        return (root, outside)
    }

    func refusal(_ config: DataConfig, root: URL) throws -> TrainingError {
        try #require(throws: TrainingError.self) { try DataLoader.load(config, dataRoot: root) }
    }

    @Test func absolutePathIsRefusedWithoutReadingIt() throws {
        let (root, _) = try layout()
        let error = try refusal(DataConfig(format: .csv, train: "/etc/passwd", label: "root"), root: root)
        #expect(error.code == .invalidConfiguration)
        #expect(error.message.hasPrefix(#"data.train: "/etc/passwd" is outside the data root"#))
        #expect(!error.message.contains("root:"))
    }

    @Test func dotDotIsRefused() throws {
        let (root, _) = try layout()
        for path in ["../secret.csv", "../x", "a/../../secret.csv", "./../secret.csv"] {
            let error = try refusal(DataConfig(format: .csv, train: path, label: "target"), root: root)
            #expect(error.message.hasPrefix("data.train: \"\(path)\" is outside the data root"), "\(error.message)")
            #expect(!error.message.contains("SECRET"))
        }
        // `..` that stays inside the root is an ordinary relative path.
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a"), withIntermediateDirectories: true)
        let d = try DataLoader.load(DataConfig(format: .csv, train: "a/../ok.csv", label: "target", testFraction: 0), dataRoot: root)
        #expect(d.train.count == 2)
    }

    @Test func symlinksLeadingOutOfTheRootAreRefused() throws {
        let (root, outside) = try layout()
        let fm = FileManager.default
        try fm.createSymbolicLink(at: root.appendingPathComponent("link.csv"), withDestinationURL: outside)
        try fm.createSymbolicLink(at: root.appendingPathComponent("dir"), withDestinationURL: outside.deletingLastPathComponent())
        try fm.createSymbolicLink(at: root.appendingPathComponent("inside.csv"), withDestinationURL: root.appendingPathComponent("ok.csv"))
        for path in ["link.csv", "dir/secret.csv"] {
            let error = try refusal(DataConfig(format: .csv, train: path, label: "target"), root: root)
            #expect(error.message.hasPrefix("data.train: \"\(path)\" is outside the data root"), "\(error.message)")
            #expect(error.message.contains("symbolic link") && !error.message.contains("SECRET"))
        }
        // A symlink that stays inside the root is followed.
        #expect(try DataLoader.load(DataConfig(format: .csv, train: "inside.csv", label: "target", testFraction: 0), dataRoot: root).train.count == 2)
    }

    @Test func everyPathKeyIsConfinedAndNamed() throws {
        let (root, _) = try layout()
        let idx = DataConfig(format: .idx, train: "ok.csv", trainLabels: "/etc/hostname")
        #expect(try refusal(idx, root: root).message.hasPrefix("data.train_labels: "))
        let test = DataConfig(format: .csv, train: "ok.csv", test: "../secret.csv", label: "target")
        #expect(try refusal(test, root: root).message.hasPrefix("data.test: "))
        let missing = try refusal(DataConfig(format: .csv, train: "nope.csv", label: "target"), root: root)
        #expect(missing.code == .io && missing.message == #"data.train: "nope.csv" does not exist under the data root"#)
        let directory = try refusal(DataConfig(format: .csv, train: "./", label: "target"), root: root)
        #expect(directory.message.contains("data.train"))
        #expect(DataRoot.lexicalProblem("mnist/train.gz") == nil)
        #expect(DataRoot.lexicalProblem("") != nil && DataRoot.lexicalProblem("/x") != nil && DataRoot.lexicalProblem("a/../../x") != nil)
    }

    /// A file of "secrets" inside the root read as each format: every error names the file but echoes none of it.
    @Test func readerErrorsNeverEchoFileContents() throws {
        let (root, _) = try layout()
        let secret = "root:x:0:0:SECRET-HEADER:/root:/bin/bash\nSECRET-LINE 7:SECRET,SECRET-CELL\n"
        try Data(secret.utf8).write(to: root.appendingPathComponent("s"))
        try Data("a,b,target\n1,SECRET-CELL,0\n".utf8).write(to: root.appendingPathComponent("cells.csv"))
        try Data("1 3:SECRETVALUE\n".utf8).write(to: root.appendingPathComponent("bad.svm"))
        try Data(TFRecord.encode([ExampleProto.encode(["label": .floats([1]), "SECRET-KEY": .bytes([[1]])])]))
            .write(to: root.appendingPathComponent("bad.tfrecord"))
        let configs: [DataConfig] = [
            DataConfig(format: .csv, train: "s", label: "target"),
            DataConfig(format: .csv, train: "s", label: "root:x:0:0:SECRET-HEADER:/root:/bin/bash"),
            DataConfig(format: .csv, train: "cells.csv", label: "target"),
            DataConfig(format: .csv, train: "s", label: "target", tabular: TabularColumns(categorical: ["c"], numeric: [])),
            DataConfig(format: .idx, train: "s", trainLabels: "s"),
            DataConfig(format: .libsvm, train: "s"),
            DataConfig(format: .libsvm, train: "bad.svm"),
            DataConfig(format: .tfrecord, train: "s"),
            DataConfig(format: .tfrecord, train: "bad.tfrecord"),
        ]
        for config in configs {
            let error = try refusal(config, root: root)
            let text = error.message.replacingOccurrences(of: config.label ?? "\u{0}", with: "")
            #expect(!text.contains("SECRET") && !text.contains("/bin/bash"), "\(config.format): \(error.message)")
            #expect(error.message.contains(config.train ?? ""), "\(error.message)")
        }
    }
}
