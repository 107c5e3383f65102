import Foundation
import TriadCore

/// Which routed experts each token goes to (docs/MODEL.md §12.2): every (request, position, layer) draws its k
/// distinct experts from a fixed popularity — Zipf with exponent `skew` (0: uniform), expert i's weight
/// ∝ (i + 1)^−skew, rotated by layer so that each layer has its own favourites — by hashing the seed with the token's
/// identity. A token routes the same way whatever the batch split or the policy (common random numbers), and no
/// state is kept.
struct ExpertRouting: Sendable {
    let experts: Int
    let perToken: Int
    private let seed: UInt64
    /// Cumulative popularity, out of 2^53 (empty when uniform).
    private let cumulative: [UInt64]
    /// Choices given instead of drawn (`--routing`).
    let trace: RoutingTrace?

    init(_ moe: MixtureOfExperts, skew: Double, seed: UInt64, trace: RoutingTrace? = nil) {
        self.trace = trace
        experts = moe.experts
        perToken = moe.perToken
        self.seed = seed
        guard skew > 0 else {
            cumulative = []
            return
        }
        let weights = (0..<moe.experts).map { Foundation.pow(Double($0 + 1), -skew) }
        let total = weights.reduce(0, +)
        var running = 0.0
        cumulative = weights.map { weight in
            running += weight
            return UInt64(min(running / total, 1) * Double(UInt64(1) << 53))
        }
    }

    /// The `draw`-th 53-bit draw of a token.
    private func hash(_ request: Int, _ position: Int, _ layer: Int, _ draw: Int) -> UInt64 {
        var x = seed ^ (UInt64(truncatingIfNeeded: request) &* 0x9E37_79B9_7F4A_7C15)
        x ^= UInt64(truncatingIfNeeded: position) &* 0xC2B2_AE3D_27D4_EB4F
        x ^= UInt64(truncatingIfNeeded: layer) &* 0x1656_67B1_9E37_79F9
        x ^= UInt64(truncatingIfNeeded: draw) &* 0xD6E8_FEB8_6659_FD93
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return (x ^ (x >> 31)) >> 11
    }

    /// Adds one to `counts[base + e]` for each of the k distinct experts the token (`request`, `position`) goes to
    /// in `layer`; `chosen` is scratch (its capacity kept between calls).
    func route(
        request: Int, position: Int, layer: Int, token: Int = 0, into counts: inout [Int], base: Int = 0,
        chosen: inout [Int]
    ) {
        choose(request: request, position: position, layer: layer, token: token, chosen: &chosen)
        for expert in chosen { counts[base + expert] += 1 }
    }

    /// The k distinct experts the token (`request`, `position`) — the iteration's `token`-th, for a routing trace —
    /// goes to in `layer`, in `chosen` (its capacity kept between calls).
    func choose(request: Int, position: Int, layer: Int, token: Int, chosen: inout [Int]) {
        chosen.removeAll(keepingCapacity: true)
        if let trace {
            // The trace's choices for the iteration's `token`-th token.
            chosen += trace.experts(layer: layer, token: token)
            return
        }
        let rotation = (layer &* 7_919) % experts
        var draw = 0
        while chosen.count < perToken {
            var expert: Int
            if draw < 64 * perToken {
                let u = hash(request, position, layer, draw)
                var low = 0
                if cumulative.isEmpty {
                    // Uniform: ⌊u · E / 2^53⌋.
                    let product = u.multipliedFullWidth(by: UInt64(experts))
                    low = Int(truncatingIfNeeded: (product.high << 11) | (product.low >> 53))
                } else {
                    var high = experts - 1
                    while low < high {
                        let middle = (low + high) / 2
                        if cumulative[middle] > u { high = middle } else { low = middle + 1 }
                    }
                }
                expert = (low + rotation) % experts
            } else {
                // A heavy skew with k near E: the next expert not yet taken.
                expert = (draw - 64 * perToken) % experts
            }
            draw += 1
            guard !chosen.contains(expert) else { continue }
            chosen.append(expert)
        }
    }
}
