import Testing
import TriadCore
import TriadDevices
import TriadScheduling

/// Speculative decoding with a draft model (docs/MODEL.md §9.7): each step is k decode steps of the draft over the
/// batch, then the target's (k + 1)-row verification. With acceptance 0 every step yields exactly one token, so the
/// contexts advance as in a plain run — and the run with a draft takes exactly the run with free drafts plus k times
/// a plain run of the draft model alone on the same batch (an independent path: the draft costed as a target).
struct DraftModelTests {
    static func run(model: String, speculation: Speculation?, policy: Policy) throws -> RunReport {
        var serving = ServingOptions()
        serving.speculation = speculation
        let experiment = try ServingTests.experiment(
            workload: .fixed(input: 200, output: 100_000), batch: 4, iterations: 500, serving: serving)
        var chosen = experiment
        chosen.model = ModelPresets.named(model)!
        return try chosen.run([policy]).reports[0]
    }

    @Test(arguments: [Policy.npuOnly, .neupims])
    func draftStepsAddExactlyTheDraftModelsOwnDecode(policy: Policy) throws {
        let k = 3
        var drafted = Speculation("\(k):0")!
        drafted.draft = ModelPresets.named("gpt3-125m")!
        let free = try Self.run(model: "gpt3-7b", speculation: Speculation("\(k):0"), policy: policy)
        let withDraft = try Self.run(model: "gpt3-7b", speculation: drafted, policy: policy)
        let draftAlone = try Self.run(model: "gpt3-125m", speculation: nil, policy: policy)
        #expect(free.tokens == withDraft.tokens && free.tokens == draftAlone.tokens)
        #expect(withDraft.simulatedPicoseconds == free.simulatedPicoseconds + Int64(k) * draftAlone.simulatedPicoseconds)
        let figure = try #require(withDraft.speculation)
        #expect(figure.draftModel == "gpt3-125m")
        #expect(abs(figure.draftMilliseconds - Double(k) * Double(draftAlone.simulatedPicoseconds) * 1e-9) < 1e-6)
        #expect(withDraft.meanActiveRequests == 4)
    }
}
