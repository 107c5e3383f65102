import TriadCore
import TriadDevices

extension Simulator {
    /// Names the recorded segments of one pipeline stage and adds them to `outcome`, offset by `offset`; the first
    /// sub-batch's segment at `promptAttentionAt` is the attention of the prompt chunks it carries. PIM attention also
    /// gets a track per channel ("pim ch3"): each channel's own work in the phase (`channelTime`, per (sub-)batch
    /// group and channel), from the phase's start — the busiest channel sets the phase's length.
    func record(
        _ segments: [ScheduledSegment], stage: Int, parts: Int, rows: [Int], after offset: Picoseconds,
        promptAttentionAt: Int? = nil, channelTime: [Picoseconds] = [], into outcome: inout IterationOutcome
    ) {
        let channels = attentionChannels
        let groups = shard.model.pipelineParallel * parts
        // Chains were built for the stage's non-empty sub-batches, in order.
        let subBatches = (0..<parts).filter { rows[stage * parts + $0] > 0 }
        for segment in segments {
            let subBatch = segment.chain < subBatches.count ? subBatches[segment.chain] : segment.chain
            let beforeCount = layerCache[rows[stage * parts + subBatch]]?.beforeAttention.count ?? 0
            let phase: String
            if segment.isHead {
                phase = "lm head"
            } else if !shard.model.hasAttention {
                phase = "layer"
            } else if subBatch == 0 && segment.index == promptAttentionAt {
                phase = "prefill attention"
            } else if segment.index < beforeCount {
                phase = "qkv"
            } else if segment.index == beforeCount {
                phase = "attention"
            } else {
                phase = "proj+ffn"
            }
            let track = segment.resource.rawValue
            let name = segment.isHead ? "\(phase) sb\(subBatch)" : "L\(segment.layer) \(phase) sb\(subBatch)"
            outcome.events.append(
                TimelineEvent(
                    track: track, name: name, start: offset + segment.start, duration: segment.end - segment.start,
                    iteration: 0, subBatch: subBatch, layer: segment.layer))
            let group = stage * parts + subBatch
            if phase == "attention" && segment.resource == .pim && channelTime.count == groups * channels {
                for channel in 0..<channels where channelTime[group * channels + channel] > 0 {
                    outcome.events.append(
                        TimelineEvent(
                            track: "pim ch\(channel)", name: "\(name) ch\(channel)", start: offset + segment.start,
                            duration: min(channelTime[group * channels + channel], segment.end - segment.start),
                            iteration: 0, subBatch: subBatch, layer: segment.layer))
                }
            }
            if segment.streamEnd > segment.streamStart {
                outcome.events.append(
                    TimelineEvent(
                        track: "memory port", name: "stream for \(name)", start: offset + segment.streamStart,
                        duration: segment.streamEnd - segment.streamStart, iteration: 0, subBatch: subBatch,
                        layer: segment.layer))
            }
        }
    }
}
