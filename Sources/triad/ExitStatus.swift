import TriadSetup
import TriadCluster
import TriadCore
import TriadDatasets
import TriadDevices
import TriadScheduling
import TriadTopology
import TriadTransport
import TriadWire

/// The one mapping from the library's error types to exit statuses and messages: 2 for input the user can
/// fix, 1 for a run that failed, 3 for a worker the coordinator refused (restarting it would not help).
/// `InputError` (already located and worded) is printed as it is.
enum ExitStatus {
    static func of(_ error: any Error) -> (status: Int32, message: String)? {
        switch error {
        case let failure as RunFailure: return (1, failure.message)
        case let refusal as WorkerRefusal: return (3, refusal.message)
        case let error as SimulationError: return (2, error.message)
        case let error as TopologyError: return (2, error.description)
        case let error as DatasetError: return (2, error.message)
        case let error as HuggingFaceConfig.Problem: return (2, error.message)
        case let error as DeviceError: return (error.code == .notYetImplemented ? 2 : 1, error.message)
        case let error as WireError: return (1, error.description)
        case let error as ClusterError: return (1, error.message)
        case let error as TransportError: return (1, error.description)
        default: return nil
        }
    }
}
