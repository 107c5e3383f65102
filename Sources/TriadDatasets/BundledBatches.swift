public import TriadCore
import Foundation

/// The NeuPIMs decode batches shipped inside Triad (Resources/neupims-traces/README.md).
public enum BundledBatches {
    /// A named batch: its file name and requests.
    public struct Batch: Sendable {
        public var name: String
        public var entries: [BatchEntry]

        public init(name: String, entries: [BatchEntry]) {
            self.name = name
            self.entries = entries
        }
    }

    /// The ten 512-request GPT3-7B ShareGPT batches placed greedily (`clb`) or round-robin (`rr`).
    public static func neupims(placement: String) throws -> [Batch] {
        try (0..<10).map { try load("\(placement)/sharegpt-bs512-gpt3-7b-tp4-\(placement)-\($0)") }
    }

    /// The 256-request batch the NeuPIMs simulator's stage figures were measured on.
    public static func neupimsBatch256() throws -> Batch {
        try load("generated/share-gpt2-bs256-ms7B-tp4-pp1-clb-0")
    }

    private static func load(_ path: String) throws -> Batch {
        guard
            let url = Bundle.module.url(
                forResource: path, withExtension: "csv", subdirectory: "Resources/neupims-traces")
        else { throw DatasetError("the bundled NeuPIMs batch \(path) is missing from this build") }
        let name = url.lastPathComponent
        return Batch(
            name: name, entries: try NeuPIMsBatchReader.parse(try String(contentsOf: url, encoding: .utf8), file: name))
    }
}
