import ClusterAPI
import ClusterRuntime
import Coordinator
import Foundation
import Testing

/// The HParams plugin's summaries: the bytes TensorBoard's own Python protos write, and what a job's spec yields.
struct TensorBoardHParamsTests {
    /// Hex of a `Summary.Value` built by TensorBoard 2.x's Python protos (`plugin_data_pb2`, `metadata.NULL_TENSOR`,
    /// `SerializeToString(deterministic=True)`) for the same session start.
    static let pythonSessionStart = """
        0a1c5f68706172616d735f2f73657373696f6e5f73746172745f696e666f42060801120212004ab0010aad010a0768706172616d73\
        12a1011a9e010a1c0a0f646174612e62617463685f73697a6512091100000000000040400a120a0c646174612e73687566666c6512\
        0220010a180a0c6d6f64656c2e68696464656e12081a063132382c36340a240a176f7074696d697a65722e6c6561726e696e675f72\
        6174651209117b14ae47e17a843f0a180a0e6f7074696d697a65722e7479706512061a046164616d220773747564792d3129000020\
        40fc54d941
        """
    /// The same for a failed session's end.
    static let pythonSessionEnd = """
        0a1a5f68706172616d735f2f73657373696f6e5f656e645f696e666f42060801120212004a1a0a180a0768706172616d73120d22\
        0b08021100001059fc54d941
        """

    func hex(_ value: Tensorboard_Summary.Value) throws -> String {
        let bytes: [UInt8] = try value.serializedBytes()
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    @Test func sessionStartIsByteForByteWhatTensorBoardWrites() throws {
        let value = TensorBoardHParams.sessionStartValue([
            "optimizer.type": .string("adam"), "optimizer.learning_rate": .number(0.01), "model.hidden": .string("128,64"),
            "data.batch_size": .number(32), "data.shuffle": .bool(true),
        ], group: "study-1", startTime: 1_700_000_000.5)
        #expect(try hex(value) == Self.pythonSessionStart)
    }

    @Test func sessionEndIsByteForByteWhatTensorBoardWrites() throws {
        #expect(try hex(TensorBoardHParams.sessionEndValue(.failure, endTime: 1_700_000_100.25)) == Self.pythonSessionEnd)
    }

    @Test func aJobsEventFileCarriesItsHyperparametersAndEndStatus() throws {
        let spec = try JobSpecParser.parse(yaml: """
            name: hp
            model: {type: mlp, hidden: [128, 64]}
            data: {format: csv, train: iris/iris.csv, label: species, batch_size: 16}
            optimizer: {type: momentum, learning_rate: 0.05, momentum: 0.9}
            training: {mode: sync, max_steps: 10}
            cluster: {workers: 2}
            """)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tb-hp-\(UUID().uuidString)").path
        let writer = try TensorBoardWriter(directory: dir)
        try writer.sessionStart(spec.tensorBoardHParams, time: 100)
        try writer.sessionEnd(TensorBoardSessionStatus(.succeeded), step: 10, time: 200)
        let records = try TensorBoardWriterTests().readRecords(writer.path)
        #expect(records.count == 3)

        let start = try #require(try Tensorboard_Event(serializedBytes: records[1]).summary.value.first)
        #expect(start.tag == "_hparams_/session_start_info")
        #expect(start.metadata.pluginData.pluginName == "hparams")
        let startData = try Tensorboard_Hparams_HParamsPluginData(serializedBytes: start.metadata.pluginData.content)
        #expect(startData.version == 0)
        let hparams = startData.sessionStartInfo.hparams
        #expect(hparams["optimizer.type"]?.stringValue == "momentum")
        #expect(hparams["optimizer.learning_rate"]?.numberValue == 0.05)
        #expect(hparams["optimizer.momentum"]?.numberValue == 0.9)
        #expect(hparams["model.type"]?.stringValue == "mlp")
        #expect(hparams["model.hidden"]?.stringValue == "128,64")
        #expect(hparams["data.batch_size"]?.numberValue == 16)
        #expect(hparams["training.mode"]?.stringValue == "sync")
        #expect(hparams["training.max_steps"]?.numberValue == 10)
        #expect(hparams["cluster.workers"]?.numberValue == 2)
        #expect(hparams["training.epochs"] == nil, "unset optional keys are left out")
        #expect(startData.sessionStartInfo.startTimeSecs == 100)

        let endEvent = try Tensorboard_Event(serializedBytes: records[2])
        #expect(endEvent.step == 10)
        let end = try #require(endEvent.summary.value.first)
        #expect(end.tag == "_hparams_/session_end_info")
        let endData = try Tensorboard_Hparams_HParamsPluginData(serializedBytes: end.metadata.pluginData.content)
        #expect(endData.sessionEndInfo.status == .success)
        #expect(endData.sessionEndInfo.endTimeSecs == 200)
    }

    @Test func jobStatesMapToTheDashboardsStatuses() {
        #expect(TensorBoardSessionStatus(.running) == .running)
        #expect(TensorBoardSessionStatus(.succeeded) == .success)
        #expect(TensorBoardSessionStatus(.failed) == .failure)
        #expect(TensorBoardSessionStatus(.cancelled) == .unknown)
    }
}
