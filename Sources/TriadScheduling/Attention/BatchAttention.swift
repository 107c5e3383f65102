import TriadCore

/// One way of splitting a batch's attention (`Simulator.accumulateAttention`): each group's segment, the PIM channels'
/// balance (busiest channel's time over the channels' mean; 0 without PIM attention), and each (group, channel)'s PIM
/// time (index `group * channels + channel`; empty without PIM attention).
struct BatchAttention {
    var segments: [Segment] = []
    var imbalance = 0.0
    var channelTime: [Picoseconds] = []
}
