public import TriadCore

/// An HBM stack as seen from the devices that stream from it: channels, bandwidth, capacity, and the
/// DRAM energy of ordinary traffic (docs/MODEL.md §6).
public struct MemoryConfiguration: Sendable, Hashable {
    public var channels: Int
    /// Bandwidth of one channel, bytes per second (NeuPIMs: 32 GB/s).
    public var channelBandwidthBytesPerSecond: Int64
    /// Capacity of one channel, bytes (NeuPIMs: 1 GB).
    public var channelCapacityBytes: Int64
    /// DRAM row size, bytes (NeuPIMs: 1 KB).
    public var rowBytes: Int64
    /// Bytes per read or write access (NeuPIMs: 64 B).
    public var accessBytes: Int64
    /// DRAM command clock (NeuPIMs: tCK 1 ns → 1000 MHz).
    public var clock: ClockFrequency
    /// Energy of one row activation, picojoules (ACT 828).
    public var activateEnergyPicojoules: Double
    /// Energy of one read access, picojoules (READ 804 per 64 B).
    public var readEnergyPicojoules: Double
    /// Energy of one write access, picojoules (WRITE 1,068).
    public var writeEnergyPicojoules: Double
    /// Background (standby) power of one channel, watts: drawn whatever the stack does and whatever clock a
    /// PIM's logic runs at (NeuPIMs' active standby: 66 pJ per 1 ns cycle = 0.066 W).
    public var standbyPowerWatts: Double

    public init(
        channels: Int, channelBandwidthBytesPerSecond: Int64, channelCapacityBytes: Int64, rowBytes: Int64,
        accessBytes: Int64, clock: ClockFrequency, activateEnergyPicojoules: Double, readEnergyPicojoules: Double,
        writeEnergyPicojoules: Double, standbyPowerWatts: Double
    ) {
        self.channels = channels
        self.channelBandwidthBytesPerSecond = channelBandwidthBytesPerSecond
        self.channelCapacityBytes = channelCapacityBytes
        self.rowBytes = rowBytes
        self.accessBytes = accessBytes
        self.clock = clock
        self.activateEnergyPicojoules = activateEnergyPicojoules
        self.readEnergyPicojoules = readEnergyPicojoules
        self.writeEnergyPicojoules = writeEnergyPicojoules
        self.standbyPowerWatts = standbyPowerWatts
    }

    /// Aggregate bandwidth, bytes per second.
    public var bandwidthBytesPerSecond: Int64 { Int64(channels) * channelBandwidthBytesPerSecond }

    /// Total capacity, bytes.
    public var capacityBytes: Int64 { Int64(channels) * channelCapacityBytes }

    /// Energy of streaming `bytes` (reads, sequential rows), picojoules: one access per `accessBytes`
    /// and one activation per row.
    public func streamingEnergy(readBytes: Int64, writtenBytes: Int64 = 0) -> Double {
        let reads = Double(readBytes.ceilDiv(accessBytes))
        let writes = Double(writtenBytes.ceilDiv(accessBytes))
        let rows = Double((readBytes + writtenBytes).ceilDiv(rowBytes))
        return reads * readEnergyPicojoules + writes * writeEnergyPicojoules + rows * activateEnergyPicojoules
    }

    /// Background energy of the whole stack over `duration`, picojoules.
    public func backgroundEnergy(over duration: Picoseconds) -> Double {
        // 1 W over 1 ps is 1 pJ.
        Double(duration) * Double(channels) * standbyPowerWatts
    }

    /// NeuPIMs' HBM2 (configs/memory_configs/neupims.json): 32 channels × 1 GB, 32 GB/s each, 1 KB rows, 64 B accesses.
    public static let neupimsHBM2 = MemoryConfiguration(
        channels: 32, channelBandwidthBytesPerSecond: 32_000_000_000, channelCapacityBytes: 1 << 30,
        rowBytes: 1024, accessBytes: 64, clock: ClockFrequency(megahertz: 1000), activateEnergyPicojoules: 828,
        readEnergyPicojoules: 804, writeEnergyPicojoules: 1068, standbyPowerWatts: 0.066)
}
