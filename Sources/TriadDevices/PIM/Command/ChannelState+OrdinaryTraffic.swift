import TriadCore

/// Ordinary NPU read bursts to the channel (ACT, one READ per access, precharge) and how they share it with
/// the PIM program: with a single row buffer they go first and PIM waits; with dual row buffers they run in
/// the gaps between PIM commands.
extension ChannelState {
    var readsPerBurst: Int { Int(configuration.memory.rowBytes / configuration.memory.accessBytes) }

    /// Starts the next arrived burst, if one arrived before `deadline` and none is in service.
    mutating func admitBurst(before deadline: Int64) -> Bool {
        if burstBank >= 0 { return true }
        guard nextArrival < deadline else { return false }
        burstArrival = nextArrival
        nextArrival += traffic.burstInterval
        burstRank = generator.nextIndex(below: configuration.ranks)
        burstGroup = generator.nextIndex(below: configuration.bankGroups)
        burstBank = bankIndex(
            rank: burstRank, group: burstGroup, bank: generator.nextIndex(below: configuration.banksPerGroup))
        burstPhase = 0
        return true
    }

    /// When the burst in service can issue its next command.
    func nextBurstCommand() -> Int64 {
        if burstPhase == 0 {
            // A bank whose PIM row was just activated: tRRD_L (dual) or tRC (single) to an ordinary ACT.
            let afterPIM = lastGroupActivate[burstBank] + (isDual ? timing.activateToActivateLong : timing.rowCycle)
            let earliest = max(burstArrival, memoryReady[burstBank], afterPIM)
            return ordinarySlot(activationTime(rank: burstRank, group: burstGroup, weight: 1, earliest: earliest))
        }
        if burstPhase <= readsPerBurst {
            let earliest =
                burstPhase == 1
                ? burstActivated + timing.rowToColumnDelay : burstLastRead + timing.columnToColumnLong
            return ordinarySlot(max(earliest, dataBusFree))
        }
        return ordinarySlot(max(burstLastRead + timing.readToPrecharge, burstActivated + timing.rowActive))
    }

    mutating func issueBurstCommand(at time: Int64) {
        issue(at: time)
        if burstPhase == 0 {
            recordActivation(rank: burstRank, group: burstGroup, weight: 1, at: time)
            lastOrdinaryActivate[burstBank] = time
            burstActivated = time
        } else if burstPhase <= readsPerBurst {
            dataBusFree = time + timing.burstCycles
            burstLastRead = time
        } else {
            memoryReady[burstBank] = time + timing.rowPrecharge
            if !isDual { pimReady[burstBank] = memoryReady[burstBank] }
            burstLatencyTotal += burstLastRead + timing.casLatency + timing.burstCycles - burstArrival
            counts.burstsServed += 1
            burstBank = -1
            return
        }
        burstPhase += 1
    }

    /// Dual row buffers: issues ordinary commands that can go before a PIM command wanting `time`.
    mutating func interleaveBursts(before time: Int64) {
        guard isDual else { return }
        while admitBurst(before: time) {
            let next = nextBurstCommand()
            guard next < time else { return }
            issueBurstCommand(at: next)
        }
    }

    /// Single row buffer: PIM waits until every burst that arrived by now is finished.
    mutating func drainBursts() {
        guard !isDual else { return }
        while admitBurst(before: lastCommand + 1) {
            issueBurstCommand(at: nextBurstCommand())
        }
    }
}
