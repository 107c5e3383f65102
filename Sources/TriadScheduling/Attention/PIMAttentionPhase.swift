public import TriadCore

/// When one (sub-)batch's attention on the PIM channels finishes (docs/MODEL.md §2.4).
///
/// Channels compute in parallel, each through its requests' GEMVs (`channelTime`). The host hands the
/// batch's PIM instructions to the channel queues in batch order, which is channel by channel
/// (`Scheduler::group_sub_batches`); at `issueRate` instructions per NPU cycle (`NeuPIMSystolicWS::
/// pim_ld_queue_cycle`, one per cycle on the simulator's `npu+pim` branch) channel c starts only after
/// every earlier channel's transactions were handed over, S_c = Σ_{c′<c} n_{c′} / R, and cannot finish before
/// its own last one arrives: T = max_c [S_c + max(n_c / R, P_c)]. With a rate of 0 (whole tiles at once, the
/// simulator's `main`) T = max_c P_c.
public enum PIMAttentionPhase {
    /// The makespan of channels `0..<channels` whose PIM work is `channelTime[offset + c]` and whose host
    /// transactions are `transactions[offset + c]`.
    public static func makespan(
        channelTime: [Picoseconds], transactions: [Int64], offset: Int, channels: Int, issueRate: Int,
        npuCycle: Picoseconds
    ) -> Picoseconds {
        var finish: Picoseconds = 0
        var handedOver: Int64 = 0
        for c in 0..<channels {
            let work = channelTime[offset + c]
            let count = transactions[offset + c]
            guard issueRate > 0 else {
                finish = max(finish, work)
                continue
            }
            guard count > 0 || work > 0 else { continue }
            let start = issueTime(handedOver, rate: issueRate, npuCycle: npuCycle)
            handedOver +|= count
            let lastArrives = issueTime(handedOver, rate: issueRate, npuCycle: npuCycle)
            finish = max(finish, max(lastArrives, start +| work))
        }
        return finish
    }

    /// Picoseconds to hand `count` transactions over at `rate` per cycle (saturating).
    private static func issueTime(_ count: Int64, rate: Int, npuCycle: Picoseconds) -> Picoseconds {
        let (product, overflow) = count.ceilDiv(Int64(rate)).multipliedReportingOverflow(by: npuCycle)
        return overflow ? .max : product
    }
}
