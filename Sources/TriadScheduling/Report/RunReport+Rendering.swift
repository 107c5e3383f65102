public import TriadCore

/// JSON and table renderings of run reports: stable key order and number formatting, so the same runs
/// give byte-identical output.
extension RunReport {
    /// `{"triad_version":…,"runs":[…]}` for `reports`.
    public static func json(_ reports: [RunReport]) -> String {
        JSON.object(["triad_version": .string(TriadVersion.current), "runs": .array(reports.map(\.json))]).rendered
            + "\n"
    }

    /// This report as one JSON object, keys in the documented order.
    public var json: JSON {
        func figures(_ figures: [DeviceFigure]) -> JSON {
            .object(figures.map { JSON.Member($0.id, .number($0.value)) })
        }
        let base = JSON.object([
            "policy": .string(policy), "model": .string(model), "workload": .string(workload),
            "topology": .string(topology), "parallelism": .string(parallelism), "batch": .integer(Int64(batch)),
            "sub_batches": .integer(Int64(subBatches)),
            "interleaved_fraction": .number(interleavedFraction), "attention": .string(attention),
            "iterations": .integer(Int64(iterations)),
            "seed": .unsigned(seed), "tokens": .integer(tokens),
            "completed_requests": .integer(Int64(completedRequests)),
            "mean_active_requests": .number(meanActiveRequests),
            "simulated_seconds": .number(Double(simulatedPicoseconds) / 1e12),
            "tokens_per_second": .number(tokensPerSecond),
            "inter_token_latency_ms": .object([
                "mean": .number(interTokenLatencyMeanMilliseconds), "p50": .number(interTokenLatencyP50Milliseconds),
                "p99": .number(interTokenLatencyP99Milliseconds),
            ]),
            "energy_per_token_joules": .number(energyPerTokenJoules),
            "energy_per_token_joules_by_device": figures(energyPerTokenByDevice),
            "device_utilization": figures(deviceUtilization), "paper_utilization": figures(paperUtilization),
            "memory_port_utilization": .number(memoryPortUtilization),
            "pim_channel_imbalance": .number(channelImbalance),
            "kv_occupancy": .object(["mean": .number(kvOccupancyMean), "peak": .number(kvOccupancyPeak)]),
            "kv_limited_fraction": .number(kvLimitedFraction), "capped_requests": .integer(Int64(cappedRequests)),
            "steady_state": .object([
                "batch_tokens_per_second": .array(batchThroughputs.map { .number($0) }),
                "ci95_relative": .number(steadyStateSpread), "second_half_over_first": .number(steadyStateDrift),
                "turnovers": .number(turnovers), "too_short": .bool(isTooShort),
            ]),
            "communication": .object([
                "fraction": .number(communicationFraction), "tensor_parallel_bytes": .integer(tensorParallelBytes),
                "pipeline_bytes": .integer(pipelineBytes),
                "links": .array(
                    linkTraffic.map {
                        .object(["from": .string($0.link.from), "to": .string($0.link.to), "bytes": .integer($0.bytes)])
                    }),
            ]),
        ])
        guard
            !stages.isEmpty || serving != nil || autoPlan != nil || router != nil || kvPaging != nil
                || speculation != nil || prefixCache != nil,
            case .object(var members) = base
        else { return base }
        if let autoPlan {
            members.append(
                JSON.Member(
                    "auto",
                    .object([
                        "plans": .array(
                            autoPlan.plans.map { .object(["policy": .string($0.name), "share": .number($0.share)]) }),
                        "switches": .integer(Int64(autoPlan.switches)), "reviews": .integer(Int64(autoPlan.reviews)),
                        "candidates": .array(autoPlan.candidates.map { .string($0) }),
                        "objective": .string(autoPlan.objective),
                        "split": autoPlan.split.map { .string($0) } ?? .null,
                        "switch_log": .array(
                            autoPlan.switchLog.map {
                                .object([
                                    "iteration": .integer(Int64($0.iteration)), "from": .string($0.from),
                                    "to": .string($0.to), "predicted_gain": .number($0.predictedGain),
                                ])
                            }),
                    ])))
        }
        if let serving {
            func figures(_ value: ServingFigures.Percentiles) -> JSON {
                .object([
                    "mean": .number(value.mean), "p50": .number(value.p50), "p90": .number(value.p90),
                    "p99": .number(value.p99),
                ])
            }
            members.append(
                JSON.Member(
                    "serving",
                    .object([
                        "prefill": .string(serving.prefill), "requests": .integer(Int64(serving.requests)),
                        "queueing_ms": figures(serving.queueing),
                        "ttft_ms": figures(serving.timeToFirstToken), "tpot_ms": figures(serving.timePerOutputToken),
                        "e2e_ms": figures(serving.endToEnd), "slo_attainment": .number(serving.sloAttainment),
                        "goodput_requests_per_second": .number(serving.goodput),
                        "queueing_slope": .number(serving.queueingSlope), "overloaded": .bool(serving.overloaded),
                    ])))
            if let breakdown = serving.prefillBreakdown {
                members.append(
                    JSON.Member(
                        "disaggregated_prefill_ms",
                        .object([
                            "queueing": .number(breakdown.queueing), "prefill": .number(breakdown.prefill),
                            "transfer": .number(breakdown.transfer),
                        ])))
            }
        }
        if let prefixCache {
            members.append(
                JSON.Member(
                    "prefix_cache",
                    .object([
                        "hits": .integer(Int64(prefixCache.hits)), "misses": .integer(Int64(prefixCache.misses)),
                        "hit_rate": .number(prefixCache.hitRate), "tokens_saved": .integer(prefixCache.tokensSaved),
                        "evictions": .integer(Int64(prefixCache.evictions)),
                    ])))
        }
        if let speculation {
            members.append(
                JSON.Member(
                    "speculation",
                    .object([
                        "draft_tokens": .integer(Int64(speculation.draftTokens)),
                        "acceptance": .number(speculation.acceptance), "steps": .integer(speculation.steps),
                        "tokens_per_step": .number(speculation.tokensPerStep),
                        "expected_tokens_per_step": .number(speculation.expectedTokensPerStep),
                        "draft_model": speculation.draftModel.map { .string($0) } ?? .null,
                        "draft_ms": .number(speculation.draftMilliseconds),
                        "draft_fraction": .number(speculation.draftFraction),
                    ])))
        }
        if let kvPaging {
            members.append(
                JSON.Member(
                    "kv_paging",
                    .object([
                        "block_tokens": .integer(Int64(kvPaging.blockTokens)),
                        "preemptions": .integer(Int64(kvPaging.preemptions)),
                        "recomputed_tokens": .integer(kvPaging.recomputedTokens),
                        "swapped_bytes": .integer(kvPaging.swappedBytes),
                        "swap_ms": .number(kvPaging.swapMilliseconds),
                    ])))
        }
        if let router {
            members.append(JSON.Member("router", .string(router)))
            members.append(
                JSON.Member(
                    "replicas",
                    .array(
                        replicaFigures.map {
                            .object([
                                "requests": .integer(Int64($0.requests)), "tokens_per_second": .number($0.tokensPerSecond),
                                "mean_batch": .number($0.meanBatch), "ttft_p99_ms": .number($0.ttftP99Milliseconds),
                                "tpot_p99_ms": .number($0.tpotP99Milliseconds),
                            ])
                        })))
        }
        guard !stages.isEmpty else { return .object(members) }
        members.append(
            JSON.Member(
                "pipeline_stages",
                .array(
                    stages.map {
                        .object([
                            "groups": .array($0.groups.map { .string($0) }), "layers": .integer(Int64($0.layers)),
                            "policy": .string($0.policy), "fixed_ms": .number($0.fixedMilliseconds),
                            "per_layer_ms": .number($0.perLayerMilliseconds),
                        ])
                    })))
        return .object(members)
    }

    /// Devices a table lists one by one; past this, one column per kind of device (the id without its number).
    public static let deviceColumns = 8

    /// The busy fractions a table shows: every device, or, for more than `deviceColumns` devices unless
    /// `allDevices`, the mean of each kind (ids without their trailing number: npu0…npu31 → "npu×32").
    static func busyColumns(_ figures: [DeviceFigure], allDevices: Bool) -> [(name: String, value: Double)] {
        guard !allDevices, figures.count > deviceColumns else { return figures.map { ($0.id, $0.value) } }
        var kinds: [String] = []
        var members: [String: [Double]] = [:]
        for figure in figures {
            var kind = figure.id
            while let last = kind.last, last.isNumber { kind.removeLast() }
            if kind.isEmpty { kind = figure.id }
            if members[kind] == nil { kinds.append(kind) }
            members[kind, default: []].append(figure.value)
        }
        return kinds.map { kind in
            let values = members[kind]!
            return ("\(kind)×\(values.count) mean", values.reduce(0, +) / Double(values.count))
        }
    }

    /// A terminal table of `reports`, with each run's throughput relative to the first; with many devices, their busy
    /// fractions by kind unless `allDevices`.
    public static func table(_ reports: [RunReport], allDevices: Bool = false) -> String {
        guard let first = reports.first else { return "" }
        let deviceColumns = busyColumns(first.deviceUtilization, allDevices: allDevices).map(\.name)
        var header = ["policy", "TP×PP", "tokens/s", "vs " + first.policy, "ITL ms (mean/p50/p99)", "J/token"]
        header += deviceColumns.map { "\($0) busy" }
        header.append("active")
        header.append("KV occ.")
        header.append("SBI")
        header.append("attention")
        var rows: [[String]] = [header]
        for report in reports {
            var row = [
                report.policy, report.parallelism,
                TextTable.fixed(report.tokensPerSecond, 0),
                TextTable.fixed(first.tokensPerSecond > 0 ? report.tokensPerSecond / first.tokensPerSecond : 0, 2)
                    + "×",
                "\(TextTable.fixed(report.interTokenLatencyMeanMilliseconds, 2))/\(TextTable.fixed(report.interTokenLatencyP50Milliseconds, 2))/\(TextTable.fixed(report.interTokenLatencyP99Milliseconds, 2))",
                TextTable.fixed(report.energyPerTokenJoules, 4),
            ]
            row += busyColumns(report.deviceUtilization, allDevices: allDevices).map {
                TextTable.fixed($0.value * 100, 1) + " %"
            }
            row.append(TextTable.fixed(report.meanActiveRequests, 1))
            row.append(TextTable.fixed(report.kvOccupancyMean * 100, 1) + " %")
            row.append(report.subBatches > 1 ? TextTable.fixed(report.interleavedFraction * 100, 0) + " %" : "—")
            row.append(report.attention)
            rows.append(row)
        }
        var stageLines = ""
        for report in reports where !report.stages.isEmpty {
            let stages = report.stages.enumerated().map { index, stage in
                "\(index): \(stage.groups.joined(separator: "+")) \(stage.layers) layers \(stage.policy)"
            }
            stageLines +=
                "\(report.policy) pipeline stages (layers balanced by measured cost unless pinned): \(stages.joined(separator: " · "))\n"
        }
        return
            "\(first.model) · \(first.workload) · batch \(first.batch) · \(first.iterations) iterations · seed \(first.seed) · \(first.topology)\n"
            + TextTable.render(rows) + stageLines
    }
}
