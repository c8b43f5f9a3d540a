import ParameterStore
import TensorWire
import Testing

@Suite struct InitializationTests {
    static let initializers: [Initializer] = [
        .glorotUniform, .heNormal, .truncatedNormal(mean: 0.5, stddev: 2), .uniform(low: -1, high: 3), .constant(0.25), .zeros,
    ]

    @Test(arguments: initializers)
    func partitionedInitEqualsWholeInit(_ initializer: Initializer) throws {
        let variable = VariableSpec(name: "dense/kernel", shape: Shape([10, 3]), initializer: initializer)
        let whole = ParameterShard()
        try whole.createJob(jobID: 1, partitions: [.whole(variableID: 0, variable: variable, seed: 77)], optimizer: .sgd(1), consistency: .async)
        // Two shards each holding one slice, as the coordinator would place them.
        let a = ParameterShard(), b = ParameterShard()
        try a.createJob(jobID: 1, partitions: [PartitionSpec(variableID: 0, partition: 0, variable: variable, rowOffset: 0, rowCount: 4, seed: 77)], optimizer: .sgd(1), consistency: .async)
        try b.createJob(jobID: 1, partitions: [PartitionSpec(variableID: 0, partition: 1, variable: variable, rowOffset: 4, rowCount: 6, seed: 77)], optimizer: .sgd(1), consistency: .async)
        let expected = try values(whole, key(0))
        #expect(expected.count == 30)
        #expect(try values(a, key(0, 0)) + values(b, key(0, 1)) == expected)
        #expect(try b.partitions(jobID: 1)[0].shape == Shape([6, 3]))
    }

    @Test func rankOneAndScalarVariablesPartitionToo() throws {
        let bias = VariableSpec(name: "bias", shape: Shape([7]), initializer: .truncatedNormal(mean: 0, stddev: 1))
        let scalar = VariableSpec(name: "temperature", shape: Shape([]), initializer: .uniform(low: 2, high: 3))
        let whole = ParameterShard(), part = ParameterShard()
        try whole.createJob(jobID: 1, partitions: [.whole(variableID: 0, variable: bias, seed: 5), .whole(variableID: 1, variable: scalar, seed: 6)], optimizer: .sgd(1), consistency: .async)
        try part.createJob(jobID: 1, partitions: [PartitionSpec(variableID: 0, partition: 2, variable: bias, rowOffset: 3, rowCount: 4, seed: 5)], optimizer: .sgd(1), consistency: .async)
        #expect(try Array(values(whole, key(0))[3...]) == values(part, key(0, 2)))
        let t = try values(whole, key(1))
        #expect(t.count == 1 && t[0] >= 2 && t[0] < 3)
    }

    @Test func initIsDeterministicPerSeedAndWithinItsDistribution() throws {
        let variable = VariableSpec(name: "k", shape: Shape([20, 10]), initializer: .glorotUniform)
        func make(_ seed: UInt64) throws -> [Float] {
            let s = ParameterShard()
            try s.createJob(jobID: 1, partitions: [.whole(variableID: 0, variable: variable, seed: seed)], optimizer: .sgd(1), consistency: .async)
            return try values(s, key(0))
        }
        let x = try make(1)
        #expect(try make(1) == x)
        #expect(try make(2) != x)
        let limit = Float((6.0 / 30.0).squareRoot())
        #expect(x.allSatisfy { abs($0) <= limit })
        #expect(Set(x).count > 150)
    }

    @Test func fillInitialValuesMatchesTheDocumentedRowRule() {
        let variable = VariableSpec(name: "k", shape: Shape([3, 4]), initializer: .uniform(low: 0, high: 1))
        let spec = PartitionSpec(variableID: 0, partition: 1, variable: variable, rowOffset: 1, rowCount: 2, seed: 9)
        var got = [Float](repeating: 0, count: 8)
        got.withUnsafeMutableBufferPointer { spec.fillInitialValues($0) }
        var row2 = [Float](repeating: 0, count: 4)
        row2.withUnsafeMutableBufferPointer {
            variable.initializer.fill($0, shape: variable.shape, seed: PartitionSpec.rowSeed(variableSeed: 9, row: 2))
        }
        #expect(Array(got[4...]) == row2)
    }
}
