/// DRAM timing parameters, in memory-clock cycles (NeuPIMs HBM2 config, tCK 1 ns; docs/MODEL.md §2).
public struct DRAMTiming: Sendable, Hashable {
    public var casLatency: Int64  // CL 14
    public var rowToColumnDelay: Int64  // tRCD 14
    public var rowPrecharge: Int64  // tRP 14
    public var rowActive: Int64  // tRAS 34
    public var activateToActivateShort: Int64  // tRRD_S 4
    public var activateToActivateLong: Int64  // tRRD_L 6
    public var fourActivateWindow: Int64  // tFAW 30
    public var columnToColumnShort: Int64  // tCCD_S 1
    public var columnToColumnLong: Int64  // tCCD_L 2
    public var writeToReadShort: Int64  // tWTR_S 6
    public var writeToReadLong: Int64  // tWTR_L 8
    public var writeRecovery: Int64  // tWR 16
    public var readToPrecharge: Int64  // tRTP 5
    public var refreshInterval: Int64  // tREFI 3900
    public var refreshCycle: Int64  // tRFC 260
    public var burstCycles: Int64  // BL/2 = 2
    public var additiveLatency: Int64  // AL 0

    public init(
        casLatency: Int64, rowToColumnDelay: Int64, rowPrecharge: Int64, rowActive: Int64,
        activateToActivateShort: Int64, activateToActivateLong: Int64, fourActivateWindow: Int64,
        columnToColumnShort: Int64, columnToColumnLong: Int64, writeToReadShort: Int64, writeToReadLong: Int64,
        writeRecovery: Int64, readToPrecharge: Int64, refreshInterval: Int64, refreshCycle: Int64,
        burstCycles: Int64, additiveLatency: Int64
    ) {
        self.casLatency = casLatency
        self.rowToColumnDelay = rowToColumnDelay
        self.rowPrecharge = rowPrecharge
        self.rowActive = rowActive
        self.activateToActivateShort = activateToActivateShort
        self.activateToActivateLong = activateToActivateLong
        self.fourActivateWindow = fourActivateWindow
        self.columnToColumnShort = columnToColumnShort
        self.columnToColumnLong = columnToColumnLong
        self.writeToReadShort = writeToReadShort
        self.writeToReadLong = writeToReadLong
        self.writeRecovery = writeRecovery
        self.readToPrecharge = readToPrecharge
        self.refreshInterval = refreshInterval
        self.refreshCycle = refreshCycle
        self.burstCycles = burstCycles
        self.additiveLatency = additiveLatency
    }

    /// Row cycle tRC = tRAS + tRP.
    public var rowCycle: Int64 { rowActive + rowPrecharge }

    /// NeuPIMs' HBM2 timing (NewtonSim ini of the simulator; tRTP is the code default).
    public static let neupimsHBM2 = DRAMTiming(
        casLatency: 14, rowToColumnDelay: 14, rowPrecharge: 14, rowActive: 34, activateToActivateShort: 4,
        activateToActivateLong: 6, fourActivateWindow: 30, columnToColumnShort: 1, columnToColumnLong: 2,
        writeToReadShort: 6, writeToReadLong: 8, writeRecovery: 16, readToPrecharge: 5, refreshInterval: 3900,
        refreshCycle: 260, burstCycles: 2, additiveLatency: 0)
}
