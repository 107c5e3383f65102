// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Triad",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "triad", targets: ["triad"]),
        // Triad as a library: build an `Experiment` and run it in-process or through a cluster.
        .library(
            name: "TriadKit",
            targets: [
                "TriadCore", "TriadDevices", "TriadScheduling", "TriadTopology", "TriadDatasets", "TriadReproduction",
                "TriadCluster", "TriadTransport", "TriadStudy", "TriadCharts", "TriadSetup", "TriadWire",
            ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Pure: units, model specs, workloads, op graph, event engine, metrics.
        .target(
            name: "TriadCore",
            dependencies: [.product(name: "HeapModule", package: "swift-collections")]
        ),
        // Pure: NPU, PIM and FPGA cost models and their configurations.
        .target(name: "TriadDevices", dependencies: ["TriadCore"]),
        // Pure: policies, KV placement, sub-batch interleaving, the simulation driver.
        .target(name: "TriadScheduling", dependencies: ["TriadCore", "TriadDevices"]),
        // Topology YAML parsing with file:line:column errors.
        .target(
            name: "TriadTopology",
            dependencies: ["TriadCore", "TriadDevices", .product(name: "Yams", package: "Yams")]
        ),
        // Bundled request-length data sets and trace-file readers.
        .target(
            name: "TriadDatasets",
            dependencies: ["TriadCore"],
            resources: [.copy("Resources")]
        ),
        // Generated protobuf (Proto/triad.proto) and conversions to core types.
        .target(
            name: "TriadWire",
            dependencies: [
                "TriadCore", "TriadDevices", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // libzmq from Debian's libzmq3-dev.
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        // ZeroMQ and in-memory transports: framing caps, one thread per socket.
        .target(name: "TriadTransport", dependencies: ["CZeroMQ"]),
        // Coordinator and worker services over a transport.
        .target(
            name: "TriadCluster",
            dependencies: [
                "TriadCore", "TriadDevices", "TriadScheduling", "TriadWire", "TriadTransport", "TriadSetup",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Paper reproductions: experiments, claims, CSV and SVG output.
        .target(
            name: "TriadReproduction",
            dependencies: ["TriadCore", "TriadDevices", "TriadScheduling", "TriadDatasets", "TriadCharts"]
        ),
        .target(name: "TriadCharts"),
        // Loading what a run names — topology, model, workload, output files — with one-line located errors.
        .target(
            name: "TriadSetup",
            dependencies: ["TriadCore", "TriadDevices", "TriadScheduling", "TriadTopology", "TriadDatasets"]
        ),
        .target(
            name: "TriadStudy",
            dependencies: [
                "TriadCore", "TriadScheduling", "TriadTopology", "TriadCharts", "TriadSetup", .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "triad",
            dependencies: [
                "TriadCore", "TriadDevices", "TriadScheduling", "TriadTopology", "TriadDatasets", "TriadReproduction",
                "TriadCluster", "TriadTransport", "TriadStudy", "TriadSetup", "TriadWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "TriadCoreTests", dependencies: ["TriadCore"]),
        .testTarget(name: "TriadDevicesTests", dependencies: ["TriadCore", "TriadDevices"]),
        .testTarget(
            name: "TriadSchedulingTests",
            dependencies: ["TriadCore", "TriadDevices", "TriadScheduling", "TriadDatasets"],
            resources: [.copy("NeuPIMsTraces")]
        ),
        .testTarget(name: "TriadTopologyTests", dependencies: ["TriadTopology", "TriadDevices"]),
        .testTarget(
            name: "TriadStudyTests",
            dependencies: ["TriadStudy", "TriadCore", "TriadTopology", "TriadCharts", "TriadScheduling", "TriadDevices"]),
        .testTarget(name: "TriadDatasetsTests", dependencies: ["TriadDatasets", "TriadCore"]),
        .testTarget(
            name: "TriadWireTests",
            dependencies: [
                "TriadWire", "TriadCore", "TriadDevices", "TriadScheduling",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]),
        .testTarget(name: "TriadTransportTests", dependencies: ["TriadTransport"]),
        .testTarget(
            name: "TriadClusterTests",
            dependencies: [
                "TriadCluster", "TriadTransport", "TriadWire", "TriadCore", "TriadDevices", "TriadScheduling",
                "TriadTestSupport",
            ]
        ),
        .testTarget(
            name: "TriadReproductionTests",
            dependencies: ["TriadReproduction", "TriadScheduling", "TriadDevices", "TriadCore"]
        ),
        // Fast tier: golden reports and one process smoke test per command.
        .testTarget(
            name: "TriadEndToEndTests",
            dependencies: [
                "triad", "TriadCore", "TriadScheduling", "TriadSetup", "TriadCluster", "TriadTransport", "TriadTestSupport",
            ],
            resources: [.copy("Golden")]
        ),
        // Integration tier (bash scripts/integration-test): real processes, ZeroMQ clusters, faults, the
        // generative CLI and the C SDK; skipped unless TRIAD_INTEGRATION=1.
        .testTarget(
            name: "TriadIntegrationTests",
            dependencies: [
                "triad", "TriadCluster", "TriadTransport", "TriadWire", "TriadCore", "TriadDevices", "TriadScheduling",
                "TriadStudy", "TriadTestSupport", "CZeroMQ", .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What the test targets share: the binary under test, processes watched line by line, the tiers.
        .target(
            name: "TriadTestSupport",
            dependencies: ["TriadCore", "TriadDevices", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TriadTestSupport"
        ),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
