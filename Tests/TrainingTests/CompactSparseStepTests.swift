import Testing
import TensorWire
@testable import Training

/// The compact step of a sparse model (only the batch's rows, ids remapped) against the full-table step.
@Suite struct CompactSparseStepTests {
    let backend = CPUBackend(threads: 1)

    func model() throws -> WideDeepModel {
        let layout = WideDeepConfig(categorical: [CategoricalColumn(name: "a", buckets: 7), CategoricalColumn(name: "b", buckets: 9)],
                                    numericCount: 2, wide: ["a", "a*b"], wideBuckets: 11, embeddingDim: 3)
        return try WideDeepModel(config: layout, task: .binaryClassification, hidden: [5], activation: .tanh)
    }

    @Test func tablesAreEmbeddingVariablesKeyedByRow() throws {
        let m = try model()
        #expect(m.variables.filter { $0.kind == .embedding }.map(\.name) == ["embedding_a", "embedding_b", "wide/kernel"])
        #expect(m.sparseTables.map(\.name) == ["embedding_a", "embedding_b", "wide/kernel"])
        #expect(m.sparseTables[2].keyOffsets == [0, 11] && m.sparseTables[2].vocabulary == 22 && m.sparseTables[2].idColumns == [4, 5])
        #expect(m.variables.filter { $0.kind == .dense }.map(\.name) == ["dense_0/kernel", "dense_0/bias", "dense_1/kernel", "dense_1/bias", "wide/bias"])
    }

    @Test func compactStepGivesTheFullStepsLossAndRowGradients() throws {
        let m = try model()
        let full = try ParameterSet(variables: m.variables, seed: 3)
        // The wide kernel starts at zero: give it values so its rows matter.
        full.tensors[m.sparseTables[2].variableIndex].withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] = 0.01 * Float(i % 13) - 0.06 } }
        // Repeated ids within and across rows; id 0 (missing) too.
        let rows: [Float] = [0, 3, 0.2, -1, 0, 4,
                             2, 8, -0.5, 0.3, 2, 10,
                             2, 3, 1.1, 0.7, 2, 4,
                             6, 0, -0.9, 0.1, 6, 0,
                             0, 3, 0.4, 0.4, 0, 4]
        let batch = try Batch(features: Tensor(shape: Shape([5, 6]), values: rows), labels: Tensor(shape: Shape([5]), values: [1, 0, 1, 0, 1]))
        var fullGrads = try ParameterSet(variables: m.variables)
        let reference = try m.trainStep(parameters: full, batch: batch, gradients: &fullGrads, backend: backend)

        let compact = try CompactBatch(batch, tables: m.sparseTables)
        #expect(compact.keys[0] == [0, 2, 6] && compact.keys[1] == [3, 8, 0])
        #expect(compact.keys[2] == [0, 15, 2, 21, 6, 11])
        let rowsPulled = try compact.gather(from: full, tables: m.sparseTables)
        let parameters = CompactBatch.substitute(rowsPulled, tables: m.sparseTables, in: full)
        let dense = try ParameterSet(variables: m.variables)
        var gradients = CompactBatch.substitute(
            compact.keys.enumerated().map { t, keys in Tensor(zeros: Shape([keys.count, m.sparseTables[t].rowWidth])) },
            tables: m.sparseTables, in: dense)
        let result = try m.trainStep(compact: compact, parameters: parameters, gradients: &gradients, backend: backend)
        #expect(result == reference)

        let sparse = Set(m.sparseTables.map(\.variableIndex))
        for i in m.variables.indices where !sparse.contains(i) {
            #expect(gradients.tensors[i].toArray() == fullGrads.tensors[i].toArray(), "\(m.variables[i].name)")
        }
        for (t, table) in m.sparseTables.enumerated() {
            let g = fullGrads.tensors[table.variableIndex].toArray(), c = gradients.tensors[table.variableIndex].toArray(), d = table.rowWidth
            for (j, key) in compact.keys[t].enumerated() {
                #expect(Array(c[(j * d)..<((j + 1) * d)]) == Array(g[(Int(key) * d)..<((Int(key) + 1) * d)]), "\(table.name) key \(key)")
            }
            // Every other row of the full gradient is zero: the compact rows are the whole gradient.
            let touched = Set(compact.keys[t].map(Int.init))
            for row in 0..<table.vocabulary where !touched.contains(row) {
                #expect(g[(row * d)..<((row + 1) * d)].allSatisfy { $0 == 0 }, "\(table.name) row \(row)")
            }
        }
    }

    @Test func idsOutsideTheColumnAreRejectedNamingTheTable() throws {
        let m = try model()
        let batch = try Batch(features: Tensor(shape: Shape([1, 6]), values: [0, 3, 0, 0, 0, 11]), labels: Tensor(shape: Shape([1]), values: [1]))
        #expect(throws: TrainingError.self) { try CompactBatch(batch, tables: m.sparseTables) }
        do { _ = try CompactBatch(batch, tables: m.sparseTables) } catch let e as TrainingError {
            #expect("\(e)".contains("wide/kernel") && "\(e)".contains("0..<11"), "\(e)")
        }
    }
}
