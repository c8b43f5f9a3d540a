import TensorWire
import Testing
@testable import Training

@Suite struct TensorTests {
    @Test func storageIsAlignedAndZeroed() {
        let t = Tensor(zeros: 3, 5)
        #expect(Int(bitPattern: t.baseAddress) % 64 == 0)
        #expect(t.toArray() == Array(repeating: 0, count: 15))
        #expect(t.rows == 3 && t.columns == 5)
    }

    @Test func rowViewsShareStorage() throws {
        let t = try Tensor(shape: Shape([3, 2]), values: [1, 2, 3, 4, 5, 6])
        let v = try t.rows(1..<3)
        #expect(v.shape == Shape([2, 2]))
        #expect(v.toArray() == [3, 4, 5, 6])
        v.withUnsafeMutableBufferPointer { $0[0] = 30 }
        #expect(t.toArray() == [1, 2, 30, 4, 5, 6])
        let r = try t.reshaped(Shape([6]))
        #expect(r.count == 6)
    }

    @Test func badShapesThrow() {
        #expect(throws: TrainingError.self) { try Tensor(shape: Shape([2, 2]), values: [1, 2, 3]) }
        #expect(throws: TrainingError.self) { try Tensor(zeros: 2, 2).rows(1..<3) }
        #expect(throws: TrainingError.self) { try Tensor(zeros: 2, 2).reshaped(Shape([5])) }
    }
}
