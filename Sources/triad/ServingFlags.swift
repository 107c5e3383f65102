import TriadSetup
import ArgumentParser
import Foundation
import TriadCore
import TriadScheduling

/// The serving options of `run`, `compare`, `up` and `coordinator` (docs/MODEL.md §9): prefill, Poisson arrivals,
/// SLOs and the per-request CSV. Without any, a run is the steady-state decode mode.
struct ServingFlags: ParsableArguments {
    @Option(
        help: """
            Prefill prompts: none (decode only, the default); whole or chunked:N (N prompt tokens per iteration), \
            before the decode step; mixed:N (Sarathi-Serve: an N-token budget, decodes first, prompt chunks in the \
            same GEMMs); prefill-first:N (vLLM: waiting prompts, up to N tokens, before any decode).
            """)
    var prefill: String = "none"

    @Option(
        parsing: .unconditional,
        help: "Poisson arrivals, requests per second (default: a closed loop, or the trace's times).")
    var arrivalRate: Double?

    @Option(parsing: .unconditional, help: "Time-to-first-token SLO, milliseconds (for slo_attainment and goodput).")
    var sloTtftMs: Double?

    @Option(parsing: .unconditional, help: "Time-per-output-token SLO, milliseconds.")
    var sloTpotMs: Double?

    @Option(
        parsing: .unconditional,
        help:
            "Paged KV (vLLM): blocks of N tokens taken as requests grow; when memory runs out, the latest request is preempted and recomputed (needs --prefill).")
    var kvBlockTokens: Int?

    @Option(
        help:
            "Preemption rule with --kv-block-tokens: recompute, or swap (the KV cache goes to a host tier over --swap-gbps and back).")
    var preemption: String = "recompute"

    @Option(parsing: .unconditional, help: "Host link for --preemption swap, GB/s (default 64: PCIe 5.0 ×16).")
    var swapGbps: Double = 64

    @Option(
        help:
            "Speculative decoding with free (n-gram) drafts: K:ALPHA, K drafts per step (1…16) each accepted with probability ALPHA (0…1).")
    var speculate: String?

    @Option(
        help:
            "Draft model for --speculate (a preset such as gpt3-125m or llama-3.2-1b, or a config.json): k steps of it per decode step, on the same devices (default: free n-gram drafts).")
    var draftModel: String?

    @Option(help: "Shared prompt prefixes N:K: every prompt starts with one of K system prompts of N tokens.")
    var sharedPrefix: String?

    @Option(
        help:
            "Multi-turn sessions T:THINK: conversations of T turns (1…1000), each turn sent THINK seconds (mean, exponential) after the previous reply, its prompt the history plus new tokens (needs --arrival-rate).")
    var sessions: String?

    @Option(
        help:
            "Prefix cache: none, or lru (shared prefixes and session histories stay in memory and are not prefilled again; least recently used evicted).")
    var prefixCache: String = "none"

    @Option(help: "Write one CSV row per finished request here (times in ms).")
    var requestsOut: String?

    func validate() throws {
        if let arrivalRate { try OptionRange.check(arrivalRate, 1e-6...1e6, "--arrival-rate") }
        if let sloTtftMs { try OptionRange.check(sloTtftMs, 1e-6...1e9, "--slo-ttft-ms") }
        if let sloTpotMs { try OptionRange.check(sloTpotMs, 1e-6...1e9, "--slo-tpot-ms") }
        if let kvBlockTokens { try OptionRange.check(kvBlockTokens, 1...65_536, "--kv-block-tokens") }
        guard preemption == "recompute" || preemption == "swap" else {
            throw ValidationError("--preemption must be recompute or swap (got '\(preemption.prefix(40))')")
        }
        try OptionRange.check(swapGbps, 1e-3...1e6, "--swap-gbps")
        do {
            _ = try options()
        } catch let error as InputError {
            throw ValidationError(
                error.description.hasPrefix("triad: ") ? String(error.description.dropFirst(7)) : error.description)
        }
    }

    /// The options these flags give.
    func options() throws -> ServingOptions {
        var options = ServingOptions()
        guard let mode = ServingOptions.Prefill(prefill) else {
            throw InputError(
                "triad: --prefill must be \(ServingOptions.Prefill.accepted) (got '\(prefill.prefix(40))')")
        }
        options.prefill = mode
        options.arrivalRate = arrivalRate
        options.ttftLimitMilliseconds = sloTtftMs
        options.tpotLimitMilliseconds = sloTpotMs
        options.recordsRequests = requestsOut != nil
        if let sharedPrefix {
            guard let shared = SharedPrefix(sharedPrefix) else {
                throw InputError(
                    "triad: --shared-prefix must be N:K with N in 1…1048576 tokens and K in 1…65536 prefixes (got '\(sharedPrefix.prefix(40))')"
                )
            }
            options.sharedPrefix = shared
        }
        if let sessions {
            guard let parsed = Sessions(sessions) else {
                throw InputError("triad: --sessions must be \(Sessions.accepted) (got '\(sessions.prefix(40))')")
            }
            guard arrivalRate != nil else {
                throw InputError("triad: --sessions needs --arrival-rate (conversations start as a Poisson process)")
            }
            options.sessions = parsed
        }
        guard prefixCache == "none" || prefixCache == "lru" else {
            throw InputError("triad: --prefix-cache must be none or lru (got '\(prefixCache.prefix(40))')")
        }
        if prefixCache == "lru" {
            guard mode != .none else {
                throw InputError("triad: --prefix-cache lru needs a --prefill mode (a cached prefix is prefill skipped)")
            }
            options.cachesPrefixes = true
        }
        if let speculate {
            guard let speculation = Speculation(speculate) else {
                throw InputError(
                    "triad: --speculate must be K:ALPHA with K in 1…16 and ALPHA in 0…1 (got '\(speculate.prefix(40))')")
            }
            options.speculation = speculation
            if let draftModel {
                options.speculation!.draft = try Inputs.model(draftModel, tensorParallel: nil, pipelineParallel: nil)
            }
        } else if draftModel != nil {
            throw InputError("triad: --draft-model needs --speculate K:ALPHA")
        }
        if preemption == "swap" && kvBlockTokens == nil {
            throw InputError("triad: --preemption swap needs --kv-block-tokens (only paged KV preempts)")
        }
        if let kvBlockTokens {
            guard mode != .none else {
                throw InputError(
                    "triad: --kv-block-tokens needs --prefill (a preempted request prefills its prompt and output again)")
            }
            options.kvBlockTokens = kvBlockTokens
            if preemption == "swap" { options.swapBytesPerSecond = Int64(swapGbps * 1e9) }
        }
        return options
    }

    /// Refuses what cannot go together and checks `--requests-out` before the run.
    func check(stream: RequestStream) throws {
        if arrivalRate != nil, case .trace = stream {
            throw InputError("triad: --arrival-rate replaces arrival times; a trace has its own (drop one)")
        }
        if let requestsOut { _ = try OutputFile(requestsOut, flag: "--requests-out") }
    }
}
