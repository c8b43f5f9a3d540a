import Foundation
import TensorWire
import Testing
@testable import Training

/// Categorical CSV encoding, LibSVM and TFRecord readers, and their errors.
@Suite struct DataFormatTests {
    func write(_ bytes: [UInt8], _ name: String, in dir: URL) throws {
        try Data(bytes).write(to: dir.appendingPathComponent(name))
    }

    @Test func categoricalCSVHashesImputesAndCrosses() throws {
        let csv = "age,color,shape,y\n10,red,round,a\n?,blue,square,b\n30,?,round,a\n20,red,,b\n"
        let table = try CSVReader.readText(Array(csv.utf8), name: "t.csv")
        let columns = TabularColumns(categorical: ["color", "shape"], numeric: ["age"], wide: ["color", "color*shape"], buckets: 50, wideBuckets: 70)
        let (values, labels, rows, _) = try TabularEncoder.encode(table, name: "t.csv", label: "y", columns: columns)
        #expect(rows == 4 && labels == ["a", "b", "a", "b"])
        let row = { (r: Int) in Array(values[(r * 5)..<(r * 5 + 5)]) }
        // Missing numeric → mean of 10, 30, 20; missing categorical → reserved id 0; a cross with a missing part → 0.
        #expect(row(1)[2] == 20)
        #expect(row(2)[0] == 0 && row(2)[4] == 0 && row(3)[1] == 0 && row(3)[4] == 0)
        #expect(row(0)[0] == row(3)[0] && row(0)[0] >= 1 && row(0)[0] < 50)
        #expect(row(0)[0] != row(1)[0])
        #expect(row(0)[4] >= 1 && row(0)[4] < 70)
        let bad = try CSVReader.readText(Array("age,color,y\nold,red,a\n".utf8), name: "bad.csv")
        let error = try #require(throws: TrainingError.self) {
            _ = try TabularEncoder.encode(bad, name: "bad.csv", label: "y", columns: TabularColumns(categorical: ["color"], numeric: ["age"]))
        }
        #expect(error.message.contains("bad.csv: line 2") && error.message.contains("'age'"))
    }

    @Test func libsvm() throws {
        let text = "+1 1:0.5 3:2 # comment\n-1 2:1\n\n+1 3:-1\n"
        let t = try LibSVMReader.read(Array(text.utf8), name: "a.svm")
        #expect(t.rows == 3 && t.width == 3 && t.values == [0.5, 0, 2, 0, 1, 0, 0, 0, -1] && t.labels == [1, -1, 1])
        let dir = try TestSupport.temporaryDirectory()
        try write(Array(text.utf8), "a.svm", in: dir)
        let splits = try DataLoader.load(DataConfig(format: .libsvm, train: "a.svm", testFraction: 0, featureCount: 4), dataRoot: dir)
        #expect(splits.inputWidth == 4 && splits.train.labels.toArray() == [1, 0, 1])
        let error = try #require(throws: TrainingError.self) { _ = try LibSVMReader.read(Array("1 2:1 1:3\n".utf8), name: "b.svm") }
        #expect(error.message.contains("b.svm: line 1"))
    }

    @Test func tfrecordRoundTripAndCorruption() throws {
        let examples: [[String: ExampleFeature]] = (0..<5).map { i in
            ["pixels": .floats([Float(i), 0.5, -1]), "label": .int64s([Int64(i % 2)]), "count": .int64s([Int64(i * 300)])]
        }
        let file = TFRecord.encode(examples.map(ExampleProto.encode))
        let records = try TFRecord.records(file, name: "x.tfrecord")
        #expect(records.count == 5)
        #expect(try ExampleProto.decode(records[3]) == examples[3])
        let dir = try TestSupport.temporaryDirectory()
        try write(file, "x.tfrecord", in: dir)
        let splits = try DataLoader.load(DataConfig(format: .tfrecord, train: "x.tfrecord", testFraction: 0), dataRoot: dir)
        #expect(splits.inputWidth == 4)
        #expect(splits.train.featureNames == ["count", "pixels_0", "pixels_1", "pixels_2"])
        #expect(Array(splits.train.features.toArray()[4..<8]) == [300, 1, 0.5, -1] && splits.train.labels.toArray() == [0, 1, 0, 1, 0])

        // Flip one payload byte of record 2: its data checksum fails and the error names file and record.
        let offset = records[2].startIndex + 3
        var corrupt = file
        corrupt[offset] ^= 0x40
        let error = try #require(throws: TrainingError.self) { _ = try TFRecord.records(corrupt, name: "x.tfrecord") }
        #expect(error.message.contains("x.tfrecord: record 2") && error.message.contains("checksum"))
        // A truncated file and a damaged length are errors too.
        #expect(throws: TrainingError.self) { _ = try TFRecord.records(Array(file.dropLast(3)), name: "x") }
        var badLength = file
        badLength[0] ^= 1
        #expect(throws: TrainingError.self) { _ = try TFRecord.records(badLength, name: "x") }
        // A valid frame around a broken protobuf is reported with the record too.
        try write(TFRecord.encode([[0x0A, 0x7F, 0x01]]), "p.tfrecord", in: dir)
        let protoError = try #require(throws: TrainingError.self) {
            _ = try DataLoader.load(DataConfig(format: .tfrecord, train: "p.tfrecord", testFraction: 0), dataRoot: dir)
        }
        #expect(protoError.message.contains("p.tfrecord: record 0"))
    }

    @Test func maskedCRCMatchesTensorFlow() {
        // A TFRecord of one empty record as TensorFlow writes it: length 0, masked crc (Python reference), no data, masked crc of "" (0xa282ead8).
        let file = TFRecord.encode([[]])
        #expect(file == [0, 0, 0, 0, 0, 0, 0, 0, 0x29, 0x03, 0x98, 0x07, 0xD8, 0xEA, 0x82, 0xA2])
    }
}

/// Fast accuracy checks of the new model families on real data subsets (skipped without the data files).
@Suite struct ModelAccuracyTests {
    // Skipped without adult/adult.csv.gz under the data root.
    @Test(.enabled(if: TestSupport.hasAdult, "no adult/adult.csv.gz: set TESSERA_DATA_ROOT or provide ../shared/data"))
    func wideDeepOnAdultSubset() throws {
        let root = try #require(TestSupport.dataRoot)
        let columns = TabularColumns(
            categorical: ["workclass", "education", "marital-status", "occupation", "relationship", "race", "gender", "native-country"],
            numeric: ["age", "educational-num", "capital-gain", "capital-loss", "hours-per-week"],
            wide: ["education", "occupation", "education*occupation", "relationship*marital-status"], buckets: 100, wideBuckets: 200)
        let config = DataConfig(format: .csv, train: "adult/adult.csv.gz", label: "income", testFraction: 0.25, normalize: .standard,
                                seed: 1, limit: 8000, tabular: columns)
        let splits = try DataLoader.load(config, dataRoot: root)
        #expect(splits.train.classNames == ["<=50K", ">50K"])
        let layout = try #require(splits.layout)
        let model = try ModelFactory.makeModel(ModelConfig(type: .wideDeep, inputWidth: splits.inputWidth, hidden: [32, 16], wideDeep: layout))
        let trainer = try LocalTrainer(model: model, backend: CPUBackend(threads: 1), learningRate: 0.1, seed: 1)
        _ = try trainer.train(on: splits.train, epochs: 3, batchSize: 32, seed: 1)
        let eval = try trainer.evaluate(on: try #require(splits.test))
        print("wide & deep, adult 6000/2000 rows, 3 epochs: test accuracy \(eval.accuracy), AUC \(eval.auc ?? .nan)")
        #expect(eval.accuracy > 0.80, "test accuracy \(eval.accuracy)")
    }

    // Skipped without the MNIST files under the data root.
    @Test(.enabled(if: TestSupport.hasMNIST, "no mnist/*.gz: set TESSERA_DATA_ROOT or provide ../shared/data"))
    func cnnOnMNISTSubset() throws {
        let root = try #require(TestSupport.dataRoot)
        let config = DataConfig(format: .idx, train: "mnist/train-images-idx3-ubyte.gz", trainLabels: "mnist/train-labels-idx1-ubyte.gz",
                                testFraction: 0.2, batchSize: 32, seed: 2, limit: 2500)
        let splits = try DataLoader.load(config, dataRoot: root)
        let model = try ModelFactory.make(ModelConfig(type: .cnn, inputWidth: 784, classes: 10, hidden: [32],
                                                      cnn: CNNConfig(image: ImageShape(height: 28, width: 28, channels: 1), filters: [4, 8])))
        let trainer = try LocalTrainer(model: model, backend: CPUBackend(threads: 1), learningRate: 0.05, seed: 2)
        _ = try trainer.train(on: splits.train, epochs: 2, batchSize: 32, seed: 2)
        let eval = try trainer.evaluate(on: try #require(splits.test))
        print("CNN conv4-conv8-32, MNIST 2000/500 rows, 2 epochs: test accuracy \(eval.accuracy)")
        #expect(eval.accuracy > 0.85, "test accuracy \(eval.accuracy)")
    }
}
