public import TriadCore

extension PIMConfiguration {
    /// One HBM3 stack of AttAcc's simulator (scale-snu/attacc_simulator, its patched Ramulator 2: `HBM3-PIM.cpp`
    /// org `HBM3_8Gb_2R` with 16 channels and timing `HBM3_5.2Gbps`, the power-constrained preset; docs/MODEL.md
    /// §2.8) with its PIM units at `level`. A Triad channel is an AttAcc channel: both pseudo-channels (2 × 2 ranks
    /// × 4 bank groups × 4 banks = 64 banks, 1 KB rows, 32 B columns), tCK 769 ps (1,300 MHz), 41.6 GB/s.
    /// Units: 64 per channel at bank level (MAC_AB every nCCDAB = 6), 16 at bank-group level (MAC_SB every
    /// nCCDSB = 6), 2 on the buffer die (MAC_PB every nBL = 2); read energies 4.4, 12.48 and 26.32 pJ/B and
    /// 0.32 pJ per MAC (`config.py`). Standby and ordinary-access energies: AttAcc's per-bit costs (cell
    /// ACT/PRE 0.11, read path to the interposer 3.59 pJ/bit); standby 66 mW per channel is NeuPIMs' figure,
    /// an assumption.
    public static func attaccHBM3(level: Level) -> PIMConfiguration {
        let memory = MemoryConfiguration(
            channels: 16, channelBandwidthBytesPerSecond: 41_600_000_000, channelCapacityBytes: 1 << 30, rowBytes: 1024,
            accessBytes: 32, clock: ClockFrequency(megahertz: 1300), activateEnergyPicojoules: 0.11 * 8192,
            readEnergyPicojoules: 3.59 * 256, writeEnergyPicojoules: 3.59 * 256, standbyPowerWatts: 0.066)
        let timing = DRAMTiming(
            casLatency: 19, rowToColumnDelay: 19, rowPrecharge: 19, rowActive: 45, activateToActivateShort: 2,
            activateToActivateLong: 4, fourActivateWindow: 39, columnToColumnShort: 2, columnToColumnLong: 4,
            writeToReadShort: 8, writeToReadLong: 11, writeRecovery: 21, readToPrecharge: 8, refreshInterval: 5070,
            refreshCycle: 456, burstCycles: 2, additiveLatency: 0)
        var pim = PIMConfiguration(
            memory: memory, ranks: 4, bankGroups: 4, banksPerGroup: 4, multipliersPerBank: 16, elementBytes: 2,
            timing: timing, rowBuffers: .dual, fidelity: .analytic, compEnergyPicojoules: 3216,
            groupActivateEnergyPicojoules: 3312, globalWriteEnergyPicojoules: 12864, readResultEnergyPicojoules: 804)
        pim.dataflow = .streaming
        pim.level = level
        switch level {
        case .bank: (pim.macIntervalCycles, pim.readEnergyPicojoulesPerByte) = (6, 4.4)
        case .bankGroup: (pim.macIntervalCycles, pim.readEnergyPicojoulesPerByte) = (6, 12.48)
        case .buffer: (pim.macIntervalCycles, pim.readEnergyPicojoulesPerByte, pim.unitsPerChannel) = (2, 26.32, 2)
        }
        return pim
    }
}
