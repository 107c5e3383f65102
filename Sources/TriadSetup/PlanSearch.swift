public import TriadCore
public import TriadScheduling
public import TriadTopology

/// `triad place`: an exhaustive search over a topology's named plans — every fixed policy that can run the model
/// on it and, on a topology of several device groups, every tensor × pipeline split of those groups — each
/// predicted by a short run of the simulation itself (the same devices and cost models a run uses), ranked by the
/// objective (docs/MODEL.md §11). An offline planner: it simulates the workload it is given.
public enum PlanSearch {
    /// What the search ranks by.
    public typealias Objective = PlanObjective

    /// One plan: a policy at a tensor × pipeline split (the model's own split on a single-group topology).
    public struct Candidate: Sendable, Hashable, CustomStringConvertible {
        public var policy: Policy
        public var tensorParallel: Int
        public var pipelineParallel: Int
        public var description: String { "\(policy.name) TP\(tensorParallel)×PP\(pipelineParallel)" }
    }

    /// A plan's predicted outcome, or why it cannot run.
    public struct Prediction: Sendable {
        public var candidate: Candidate
        public var report: RunReport?
        public var refusal: String?

        /// What bounds the plan: KV capacity when it kept the batch small most of the time, else the busiest of
        /// the devices and the links.
        public var bottleneck: String {
            guard let report else { return "—" }
            if report.kvLimitedFraction > 0.5 {
                return "KV capacity (batch \(TextTable.fixed(report.meanActiveRequests, 1)) of \(report.batch))"
            }
            var busiest = (name: "links", value: report.communicationFraction)
            for figure in report.deviceUtilization where figure.value > busiest.value {
                busiest = (figure.id, figure.value)
            }
            return "\(busiest.name) \(TextTable.fixed(busiest.value * 100, 0)) %"
        }
    }

    /// The tensor × pipeline splits to try: every factorisation of a multi-group topology's group count that the
    /// model allows (heads and KV heads divisible by TP, at least one layer per stage), or the model's own split on
    /// a single-group topology.
    public static func splits(groups: Int, model: ModelSpec) -> [(tensor: Int, pipeline: Int)] {
        guard groups > 1 else { return [(model.tensorParallel, model.pipelineParallel)] }
        return (1...groups).filter { groups % $0 == 0 }.compactMap { tensor in
            let pipeline = groups / tensor
            guard model.attentionHeads % tensor == 0,
                model.keyValueHeads % tensor == 0 || tensor % model.keyValueHeads == 0,
                pipeline <= model.layers
            else { return nil }
            return (tensor, pipeline)
        }
    }

    /// Predicts every candidate with `experiment(tensor, pipeline)` building the run at a split (throwing when the
    /// topology or model refuses it), and returns them ranked by `objective`, refusals last. With `offloads`, each
    /// policy's FC-on-PIM variant (`Experiment.fastestOffload`) and, for `Policy.splitCandidates`, its split-attention
    /// variant are candidates too.
    public static func search(
        policies: [Policy], splits: [(tensor: Int, pipeline: Int)], objective: Objective, tpotBound: Double? = nil,
        offloads: Bool = true,
        experiment: (Int, Int) throws -> Experiment
    ) -> [Prediction] {
        var predictions: [Prediction] = []
        for split in splits {
            let built: Experiment
            do {
                built = try experiment(split.tensor, split.pipeline)
            } catch {
                for policy in policies {
                    predictions.append(
                        Prediction(
                            candidate: Candidate(
                                policy: policy, tensorParallel: split.tensor, pipelineParallel: split.pipeline),
                            refusal: "\(error)"))
                }
                continue
            }
            // Each policy, and beside it the same plan with the FC classes that are faster on the PIM at this batch
            // moved there (when any are).
            var plans: [Policy] = []
            for policy in policies {
                plans.append(policy)
                if offloads, policy.matrixOffload.isEmpty, !policy.isAuto,
                    let offload = try? built.fastestOffload(for: policy), !offload.isEmpty
                {
                    plans.append(policy.offloading(offload))
                }
                // And, for the plans `auto` tries it with, the NPU taking part of the attention.
                if offloads, Policy.splitCandidates.contains(policy) {
                    plans.append(policy.splittingAttention())
                }
            }
            for policy in plans {
                let candidate = Candidate(
                    policy: policy, tensorParallel: split.tensor, pipelineParallel: split.pipeline)
                do {
                    let report = try built.run([policy]).reports[0]
                    predictions.append(Prediction(candidate: candidate, report: report))
                } catch {
                    predictions.append(Prediction(candidate: candidate, refusal: "\(error)"))
                }
            }
        }
        return rank(predictions, by: objective, tpotBound: tpotBound)
    }

    /// `predictions` best first by `objective` — those whose mean TPOT meets `tpotBound` (milliseconds) before those
    /// that do not; ties keep the candidates' order (deterministic); refusals last.
    public static func rank(_ predictions: [Prediction], by objective: Objective, tpotBound: Double? = nil)
        -> [Prediction]
    {
        let ran = predictions.enumerated().filter { $0.element.report != nil }
        let refused = predictions.filter { $0.report == nil }
        func misses(_ report: RunReport) -> Bool { tpotBound.map { report.interTokenLatencyMeanMilliseconds > $0 } ?? false }
        let sorted = ran.sorted { lhs, rhs in
            let (a, b) = (lhs.element.report!, rhs.element.report!)
            if misses(a) != misses(b) { return !misses(a) }
            let (x, y) =
                objective == .throughput
                ? (-a.tokensPerSecond, -b.tokensPerSecond) : (a.energyPerTokenJoules, b.energyPerTokenJoules)
            return x != y ? x < y : lhs.offset < rhs.offset
        }
        return sorted.map(\.element) + refused
    }
}
