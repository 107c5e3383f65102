/// How the KV cache stores K and V (`--kv-format`, docs/MODEL.md §14): FP16; FP8 with a per-tensor scale; or block
/// floating point — blocks of `block` elements along a head's dimension sharing an 8-bit exponent, each element a
/// `mantissa`-bit signed mantissa (Trukhanov & Soloveychik, "Accurate Block Quantization in LLMs with Outliers", 2024:
/// BFP12 is 4-bit mantissas with 8-bit shared exponents; its K-sort channel rearrangement is fixed at compile time —
/// the rows of W_k sorted by norm and W_q reordered to match — so it costs nothing at inference).
public enum KeyValueFormat: Sendable, Hashable {
    case fp16
    case fp8
    case blockFloatingPoint(block: Int, mantissa: Int)

    /// `fp16`, `fp8` or `bfp:BLOCK:MANTISSA` (BLOCK 2…1,024, MANTISSA 2…16 bits); nil otherwise.
    public init?(_ text: String) {
        switch text {
        case "fp16": self = .fp16
        case "fp8": self = .fp8
        default:
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "bfp", let block = Int(parts[1]), (2...1_024).contains(block),
                let mantissa = Int(parts[2]), (2...16).contains(mantissa)
            else { return nil }
            self = .blockFloatingPoint(block: block, mantissa: mantissa)
        }
    }

    /// What `--kv-format` accepts, for error messages.
    public static let accepted = "fp16, fp8 or bfp:BLOCK:MANTISSA (BLOCK 2…1024 elements, MANTISSA 2…16 bits)"

    public var name: String {
        switch self {
        case .fp16: "fp16"
        case .fp8: "fp8"
        case .blockFloatingPoint(let block, let mantissa): "bfp:\(block):\(mantissa)"
        }
    }

    /// Bytes one head's K (or V) vector of `headDimension` elements takes.
    public func bytes(perVectorOf headDimension: Int) -> Int64 {
        let elements = Int64(headDimension)
        switch self {
        case .fp16: return 2 * elements
        case .fp8: return elements
        case .blockFloatingPoint(let block, let mantissa):
            return (elements * Int64(mantissa) + elements.ceilDiv(Int64(block)) * 8).ceilDiv(8)
        }
    }
}
