import TriadSetup
import ArgumentParser
import TriadCore

/// `triad models`: the presets and their sources.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "models", abstract: "List model presets.")

    func run() throws {
        for model in ModelPresets.all {
            print(
                "\(model.name): \(model.layers) layers, d \(model.hiddenSize), \(model.attentionHeads) heads, I \(model.intermediateSize), vocab \(model.vocabularySize), \(model.weightFormat.rawValue), TP \(model.tensorParallel) PP \(model.pipelineParallel) — \(model.source)"
            )
        }
    }
}
