import Coordinator
import TensorWire
import Testing

/// The chief declares its data's preprocessing with the variables: the job keeps it (serving and exports read it);
/// anything that is not a JSON object within `Coordinator.maxPreprocessingBytes` is refused and nothing is placed.
@Suite struct DeclaredPreprocessingTests {
    @Test func theJobKeepsWhatTheChiefDeclared() throws {
        var t = try budgetCluster(psLimit: 0)
        let id = try t.c.submit(mlpSpec(features: 4, hidden: [3]), now: 1).id
        _ = try t.c.assignTask(worker: t.workers[0], now: 2)
        let variables = try #require(t.c.job(id)?.spec.modelEstimate?.variableSpecs)
        let json = #"{"features":["a","b","c","d"],"inputWidth":4}"#
        _ = try t.c.declareVariables(id, from: t.workers[0], variables, preprocessing: json)
        #expect(t.c.job(id)?.preprocessing == json)
    }

    @Test(arguments: ["not json", "[1,2]", "{" + String(repeating: " ", count: Coordinator.maxPreprocessingBytes) + "}"])
    func anythingButABoundedObjectIsRefused(_ preprocessing: String) throws {
        var t = try budgetCluster(psLimit: 0)
        let id = try t.c.submit(mlpSpec(features: 4, hidden: [3]), now: 1).id
        _ = try t.c.assignTask(worker: t.workers[0], now: 2)
        let variables = try #require(t.c.job(id)?.spec.modelEstimate?.variableSpecs)
        let error = #expect(throws: CoordinatorError.self) {
            _ = try t.c.declareVariables(id, from: t.workers[0], variables, preprocessing: preprocessing)
        }
        #expect(error?.description.contains("JSON object of at most") == true)
        #expect(t.c.job(id)?.placement == nil && t.c.job(id)?.preprocessing == nil)
    }
}
