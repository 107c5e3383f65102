#!/usr/bin/env python3
"""Runs vidur (github.com/microsoft/vidur, a checkout on PYTHONPATH) on a trace with a linear per-iteration cost
instead of its learnt one, and writes its per-request metrics: the reference side of scripts/vidur-check.

An iteration (vidur: a batch) lasts A + BP * prompt tokens + BD * decode tokens milliseconds (unpadded counts),
exactly what `triad run --iteration-cost linear:A,BP,BD` gives Triad's iterations. The cost enters as a subclass of
vidur's execution-time predictor whose whole time is one component of one layer; vidur's own predictor is never
built, so no profiles are read or downloaded.
"""
import argparse
import atexit
import os
import shutil

import pandas as pd
from vidur.config import (
    ClusterConfig,
    LinearRegressionExecutionTimePredictorConfig,
    MetricsConfig,
    ReplicaConfig,
    RoundRobinGlobalSchedulerConfig,
    SarathiSchedulerConfig,
    SimulationConfig,
    TraceRequestGeneratorConfig,
    VllmSchedulerConfig,
)
from vidur.entities import ExecutionTime
from vidur.execution_time_predictor import BaseExecutionTimePredictor, ExecutionTimePredictorRegistry
from vidur.simulator import Simulator
from vidur.types import ExecutionTimePredictorType
from vidur.utils.random import set_seeds

COST = {"fixed": 5.0, "prefill": 0.05, "decode": 0.05}


class LinearPredictor(BaseExecutionTimePredictor):
    def get_execution_time(self, batch, pipeline_stage):
        total = COST["fixed"] + COST["prefill"] * batch.num_prefill_tokens + COST["decode"] * batch.num_decode_tokens
        # ExecutionTime(layers, 19 components in ms): the prefill-attention component carries the whole time.
        parts = [0.0] * 19
        parts[3] = total
        return ExecutionTime(1, *parts)


# The per-operation hooks the base class declares abstract; never called (get_execution_time is overridden).
for hook in [name for name in dir(BaseExecutionTimePredictor) if name.startswith("_get_") and name.endswith("_time")]:
    setattr(LinearPredictor, hook, lambda self, batch: 0.0)
LinearPredictor.__abstractmethods__ = frozenset()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trace", required=True)
    parser.add_argument("--scheduler", choices=["vllm", "sarathi"], required=True)
    parser.add_argument("--chunk-size", type=int, default=512)
    parser.add_argument("--max-tokens-in-batch", type=int, default=4096)
    parser.add_argument("--batch-size-cap", type=int, default=128)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--cost", required=True, help="A,BP,BD in milliseconds")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    COST["fixed"], COST["prefill"], COST["decode"] = (float(x) for x in args.cost.split(","))

    memory = dict(batch_size_cap=args.batch_size_cap, block_size=16, watermark_blocks_fraction=0.01,
                  num_blocks=10_000_000)  # KV room for everything: the comparison is about scheduling
    if args.scheduler == "vllm":
        replica_scheduler = VllmSchedulerConfig(max_tokens_in_batch=args.max_tokens_in_batch, **memory)
    else:
        replica_scheduler = SarathiSchedulerConfig(chunk_size=args.chunk_size, **memory)
    os.makedirs(args.out, exist_ok=True)
    raw = os.path.join(args.out, "vidur_output")
    shutil.rmtree(raw, ignore_errors=True)
    config = SimulationConfig(
        seed=42,
        cluster_config=ClusterConfig(
            num_replicas=args.replicas,
            replica_config=ReplicaConfig(model_name="meta-llama/Llama-2-7b-hf", device="a100"),
            global_scheduler_config=RoundRobinGlobalSchedulerConfig(),
            replica_scheduler_config=replica_scheduler,
        ),
        request_generator_config=TraceRequestGeneratorConfig(trace_file=args.trace, max_tokens=4096, seed=42),
        execution_time_predictor_config=LinearRegressionExecutionTimePredictorConfig(),
        metrics_config=MetricsConfig(output_dir=raw, store_plots=False, enable_chrome_trace=False,
                                     write_json_trace=False),
    )
    ExecutionTimePredictorRegistry.unregister(ExecutionTimePredictorType.LINEAR_REGRESSION)
    ExecutionTimePredictorRegistry.register(ExecutionTimePredictorType.LINEAR_REGRESSION, LinearPredictor)
    set_seeds(42)
    simulator = Simulator(config)
    atexit.unregister(simulator._write_output)
    simulator.run()
    simulator._write_output()
    metrics = pd.read_csv(os.path.join(config.metrics_config.output_dir, "request_metrics.csv"))
    metrics.sort_values("Request Id").to_csv(os.path.join(args.out, "request_metrics.csv"), index=False)
    # The trace as vidur simulated it (prompts clipped so prompt + output <= 4096): Triad runs this one.
    simulator._request_generator.trace_df[["arrived_at", "num_prefill_tokens", "num_decode_tokens"]].to_csv(
        os.path.join(args.out, "trace.csv"), index=False)
    shutil.rmtree(raw, ignore_errors=True)


if __name__ == "__main__":
    main()
