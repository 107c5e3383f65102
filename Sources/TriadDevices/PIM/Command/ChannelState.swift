import TriadCore

/// The state of one PIM channel while `PIMCommandModel` runs a program: banks, ranks, buses, and the
/// two command sources (the PIM program and the ordinary read bursts), always issuing the command that
/// can go first (the PIM program on ties).
struct ChannelState {
    let configuration: PIMConfiguration
    let timing: DRAMTiming
    let isDual: Bool
    let traffic: PIMCommandModel.Traffic

    // Banks, indexed (rank · groups + group) · banksPerGroup + bank.
    /// Earliest G_ACT (PIM row buffer free: precharged and tRP passed).
    var pimReady: [Int64]
    /// Earliest ordinary ACT (memory row buffer free); the same buffer as `pimReady` with a single row buffer.
    var memoryReady: [Int64]
    var lastGroupActivate: [Int64]
    var lastOrdinaryActivate: [Int64]
    // Ranks.
    var recentActivations: [[Int64]]
    var lastActivate: [Int64]
    var lastActivateGroup: [Int]
    // Buses.
    var lastCommand: Int64 = -1
    var dataBusFree: Int64 = 0
    /// Until when a PIM command holds the channel against ordinary traffic and further results.
    var channelHeldUntil: Int64 = 0
    /// The last PIM result command, and whether the previous tile's PIM rows are still open.
    var lastResultCommand: Int64 = 0
    /// When the open PIM rows were activated (a refresh since then closed them).
    var rowsActivatedAt: Int64 = 0
    var pimRowsOpen = false

    // The PIM program.
    var program: [PIMProgram.Step] = []
    var finished: Int64 = 0
    var bufferReady: Int64 = 0
    var bufferFree: Int64 = 0
    var counts = PIMCommandModel.Outcome(cycles: 0)

    // Ordinary bursts.
    var generator: SplitMix64
    var nextArrival: Int64
    var burstLatencyTotal: Int64 = 0

    init(configuration: PIMConfiguration, traffic: PIMCommandModel.Traffic) {
        self.configuration = configuration
        timing = configuration.timing
        isDual = configuration.rowBuffers == .dual
        self.traffic = traffic
        let banks = configuration.banksPerChannel
        pimReady = Array(repeating: 0, count: banks)
        memoryReady = Array(repeating: 0, count: banks)
        lastGroupActivate = Array(repeating: Int64.min / 4, count: banks)
        lastOrdinaryActivate = Array(repeating: Int64.min / 4, count: banks)
        recentActivations = Array(repeating: Array(repeating: Int64.min / 4, count: 4), count: configuration.ranks)
        lastActivate = Array(repeating: Int64.min / 4, count: configuration.ranks)
        lastActivateGroup = Array(repeating: -1, count: configuration.ranks)
        generator = SplitMix64(seed: traffic.seed)
        nextArrival = traffic.burstInterval > 0 ? 0 : .max
    }

    // MARK: - Shared rules

    /// Cycles between refreshes of the channel: rank-staggered, tREFI / ranks (NewtonSim `refresh.cc`).
    var refreshPeriod: Int64 { max(1, timing.refreshInterval / Int64(max(configuration.ranks, 1))) }

    /// `time` moved past a refresh and the refreshed rank's tRFC [k·R, k·R + tRFC).
    func afterRefresh(_ time: Int64) -> Int64 {
        let start = time / refreshPeriod * refreshPeriod
        return start > 0 && time < start + timing.refreshCycle ? start + timing.refreshCycle : time
    }

    /// The earliest slot on the command bus at or after `earliest`.
    func commandSlot(_ earliest: Int64) -> Int64 {
        max(earliest, lastCommand + 1)
    }

    /// The earliest slot for an ordinary command: outside refresh.
    func ordinarySlot(_ earliest: Int64) -> Int64 {
        afterRefresh(commandSlot(earliest))
    }

    mutating func issue(at time: Int64) { lastCommand = time }

    /// Earliest time `rank` may activate `weight` banks of `group` (tRRD_S/L and tFAW).
    func activationTime(rank: Int, group: Int, weight: Int, earliest: Int64) -> Int64 {
        let spacing = lastActivateGroup[rank] == group ? timing.activateToActivateLong : timing.activateToActivateShort
        let window = recentActivations[rank]  // ascending
        let faw = window[min(weight, 4) - 1] + timing.fourActivateWindow
        return max(earliest, lastActivate[rank] + spacing, faw)
    }

    mutating func recordActivation(rank: Int, group: Int, weight: Int, at time: Int64) {
        for _ in 0..<min(weight, 4) {
            recentActivations[rank].removeFirst()
            recentActivations[rank].append(time)
        }
        lastActivate[rank] = time
        lastActivateGroup[rank] = group
    }

    func bankIndex(rank: Int, group: Int, bank: Int) -> Int {
        (rank * configuration.bankGroups + group) * configuration.banksPerGroup + bank
    }

    // MARK: - Ordinary traffic (ChannelState+OrdinaryTraffic.swift)

    /// The burst in service: its bank and how far it got (0: needs ACT, 1…reads: reads issued, then PRE).
    var burstBank = -1
    var burstRank = 0
    var burstGroup = 0
    var burstArrival: Int64 = 0
    var burstPhase = 0
    var burstActivated: Int64 = 0
    var burstLastRead: Int64 = 0

    // MARK: - The PIM program

    mutating func globalWrite() {
        // Single row buffer: ordinary traffic queued so far goes first.
        drainBursts()
        // A GWRITE does not wait out the last result's hold (NewtonSim issues it right after).
        let start = commandSlot(max(bufferFree, dataBusFree))
        interleaveBursts(before: start)
        var begin = commandSlot(max(start, dataBusFree))
        // One row buffer: the global buffer's row is closed by ordinary traffic; precharge and activate it.
        if !isDual { begin += timing.rowPrecharge + timing.rowToColumnDelay }
        issue(at: begin)
        let writeCycles = (timing.columnToColumnShort + timing.columnToColumnLong) * Int64(configuration.compsPerRow)
        // Nothing else runs on the channel until the write returns (`is_gwriting_`).
        dataBusFree = begin + writeCycles
        channelHeldUntil = begin + writeCycles
        lastCommand = max(lastCommand, begin + writeCycles - 1)
        bufferReady = begin + writeCycles
        counts.globalWrites += 1
    }

    /// The controller's latency estimate for a header (`EstimatePIMOperationLatency`).
    func estimate(comps: Int, readResults: Int) -> Int64 {
        Int64(configuration.banksPerChannel) * (timing.additiveLatency + timing.readToPrecharge)
            + timing.fourActivateWindow * Int64(configuration.ranks * configuration.bankGroups / 2 - 1)
            + timing.rowToColumnDelay + max(timing.burstCycles, timing.columnToColumnShort) * Int64(max(comps, 6))
            + max(timing.burstCycles, timing.columnToColumnLong) * Int64(readResults - 1)
    }

    mutating func tile(comps: Int, readResults: Int, readouts: Int = 1) {
        drainBursts()
        // The controller starts a header only if its estimate fits before the next refresh; otherwise it
        // waits for the refresh, and the refreshed rank takes no G_ACT for tRFC (`CanMeetRefreshDeadline`).
        var start = commandSlot(pimRowsOpen ? lastResultCommand + timing.readToPrecharge : lastCommand + 1)
        var activationFloor: Int64 = 0
        let nextRefresh = (start / refreshPeriod + 1) * refreshPeriod
        if nextRefresh - start <= estimate(comps: comps, readResults: readResults) {
            // The header restarts once the refreshed rank can activate again.
            start = nextRefresh + timing.refreshCycle
            activationFloor = start
        } else if start / refreshPeriod > 0 {
            activationFloor = start / refreshPeriod * refreshPeriod + timing.refreshCycle
        }
        // Lazy precharge of the previous tile's PIM rows, one bank per cycle.
        var slot = start
        if pimRowsOpen {
            for index in pimReady.indices {
                interleaveBursts(before: slot)
                slot = commandSlot(slot)
                issue(at: slot)
                pimReady[index] = slot + timing.rowPrecharge
                if !isDual { memoryReady[index] = pimReady[index] }
                slot += 1
            }
        }
        let header = commandSlot(slot)
        issue(at: header)
        // G_ACT every (rank, group), ranks interleaved to use both four-activate windows.
        var lastGACT = header
        for group in 0..<configuration.bankGroups {
            for rank in 0..<configuration.ranks {
                var earliest = max(header + 1, bufferReady, activationFloor)
                for bank in 0..<configuration.banksPerGroup {
                    let index = bankIndex(rank: rank, group: group, bank: bank)
                    earliest = max(earliest, pimReady[index])
                    let afterOrdinary =
                        lastOrdinaryActivate[index] + (isDual ? timing.activateToActivateLong : timing.rowCycle)
                    earliest = max(earliest, afterOrdinary)
                }
                interleaveBursts(before: earliest)
                var at = commandSlot(
                    activationTime(rank: rank, group: group, weight: configuration.banksPerGroup, earliest: earliest))
                while at != activationTime(rank: rank, group: group, weight: configuration.banksPerGroup, earliest: at)
                {
                    at = commandSlot(
                        activationTime(rank: rank, group: group, weight: configuration.banksPerGroup, earliest: at))
                }
                issue(at: at)
                recordActivation(rank: rank, group: group, weight: configuration.banksPerGroup, at: at)
                for bank in 0..<configuration.banksPerGroup {
                    lastGroupActivate[bankIndex(rank: rank, group: group, bank: bank)] = at
                }
                lastGACT = max(lastGACT, at)
                counts.groupActivates += 1
            }
        }
        rowsActivatedAt = lastGACT
        // Results, tRCD after the last G_ACT.
        results(comps: comps, readResults: readResults, readouts: readouts, from: lastGACT + timing.rowToColumnDelay)
    }

    /// A further pass over the rows the previous tile left open (open-row reuse, docs/MODEL.md §2.7): its
    /// results as soon as the global buffer holds the next vector.
    mutating func pass(comps: Int, readResults: Int, readouts: Int = 1) {
        // A refresh since the rows opened closed them: this pass activates them again, as a tile (a header whose
        // row is closed needs its G_ACTs); on open rows it goes through without a refresh-deadline check.
        if max(lastResultCommand, bufferReady) / refreshPeriod > rowsActivatedAt / refreshPeriod {
            tile(comps: comps, readResults: readResults, readouts: readouts)
            return
        }
        drainBursts()
        results(comps: comps, readResults: readResults, readouts: readouts, from: lastResultCommand + 1)
    }

    /// The results of a pass on open rows, from `earliest`: fused, one COMPS_READRES per result holding the
    /// channel 2·(max(nc, 6) + 1) cycles; Newton, nc COMPs every max(BL/2, tCCD_S) then a READRES. Each
    /// result is read out `readouts` times (a further READRES every max(BL/2, tCCD_L) per extra query vector).
    private mutating func results(comps: Int, readResults: Int, readouts: Int, from earliest: Int64) {
        let spacing = max(timing.burstCycles, timing.columnToColumnShort)
        let readout = max(timing.burstCycles, timing.columnToColumnLong)
        let perResult = (comps + readResults - 1) / max(readResults, 1)
        var next = max(earliest, bufferReady)
        for _ in 0..<readResults {
            interleaveBursts(before: next)
            switch configuration.commandSet {
            case .fused:
                let command = commandSlot(max(next, channelHeldUntil))
                issue(at: command)
                lastResultCommand = command
                channelHeldUntil = command + spacing * Int64(max(perResult, 6) + 1)
                next = channelHeldUntil
            case .newton:
                var comp = commandSlot(next)
                let first = comp
                for _ in 0..<perResult {
                    comp = commandSlot(comp)
                    issue(at: comp)
                    comp += spacing
                }
                let readResult = commandSlot(max(first + max(spacing * Int64(perResult), 6), dataBusFree))
                issue(at: readResult)
                dataBusFree = readResult + timing.burstCycles
                lastResultCommand = readResult
                next = readResult + spacing
            }
            // Further query vectors' results of the same COMPs, one READRES each.
            for _ in 1..<max(readouts, 1) {
                let command = commandSlot(max(next, dataBusFree))
                issue(at: command)
                dataBusFree = command + timing.burstCycles
                lastResultCommand = command
                next = command + readout
            }
        }
        counts.comps += Int64(comps)
        counts.readResults += Int64(readResults * max(readouts, 1))
        bufferFree = lastResultCommand + 1
        pimRowsOpen = true
        finished = max(finished, lastResultCommand + timing.casLatency + timing.burstCycles)
    }

    func outcome() -> PIMCommandModel.Outcome {
        var result = counts
        result.cycles = finished
        result.meanBurstLatency = counts.burstsServed == 0 ? 0 : Double(burstLatencyTotal) / Double(counts.burstsServed)
        return result
    }
}
