#!/usr/bin/env python3
"""Compare Triad's per-request latencies with vidur's on the same trace and the same per-iteration cost.

Usage: compare.py VIDUR_REQUEST_METRICS_CSV TRIAD_REQUESTS_CSV LABEL

Both simulators' percentiles are computed here, the same way (linear interpolation between order statistics, as
numpy's default), over the requests both finished:
  TTFT = first token - arrival        (vidur: prefill_e2e_time)
  TPOT = (finish - first token) / (output - 1), requests with output > 1
                                      (vidur: (request_e2e_time - prefill_e2e_time) / (decode tokens - 1))
  E2E  = finish - arrival             (vidur: request_e2e_time)
Prints a Markdown table and each request's agreement.
"""
import csv
import sys


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def vidur_requests(path):
    requests = {}
    with open(path) as handle:
        for row in csv.DictReader(handle):
            ident = int(row["Request Id"])
            decode = int(float(row["request_num_decode_tokens"]))
            ttft = float(row["prefill_e2e_time"]) * 1e3
            e2e = float(row["request_e2e_time"]) * 1e3
            tpot = (e2e - ttft) / (decode - 1) if decode > 1 else None
            requests[ident] = (ttft, tpot, e2e)
    return requests


def triad_requests(path):
    requests = {}
    with open(path) as handle:
        for row in csv.DictReader(handle):
            ident = int(row["id"])
            output = int(row["output_tokens"])
            tpot = float(row["tpot_ms"]) if output > 1 else None
            requests[ident] = (float(row["ttft_ms"]), tpot, float(row["e2e_ms"]))
    return requests


def main():
    vidur = vidur_requests(sys.argv[1])
    triad = triad_requests(sys.argv[2])
    label = sys.argv[3] if len(sys.argv) > 3 else ""
    common = sorted(set(vidur) & set(triad))
    print(f"{label}: {len(common)} requests in both (vidur {len(vidur)}, Triad {len(triad)})")
    print()
    print("| metric | vidur p50 / p90 / p99 / mean (ms) | Triad p50 / p90 / p99 / mean (ms) | difference p50 / p90 / p99 / mean |")
    print("|---|---|---|---|")
    worst = 0.0
    for index, name in enumerate(["TTFT", "TPOT", "E2E"]):
        a = [vidur[i][index] for i in common if vidur[i][index] is not None and triad[i][index] is not None]
        b = [triad[i][index] for i in common if vidur[i][index] is not None and triad[i][index] is not None]
        figures_a = [percentile(a, 0.5), percentile(a, 0.9), percentile(a, 0.99), sum(a) / len(a)]
        figures_b = [percentile(b, 0.5), percentile(b, 0.9), percentile(b, 0.99), sum(b) / len(b)]
        differences = [(y / x - 1) * 100 if x else 0.0 for x, y in zip(figures_a, figures_b)]
        worst = max(worst, max(abs(d) for d in differences))
        print(
            f"| {name} | {' / '.join(f'{v:.2f}' for v in figures_a)} | {' / '.join(f'{v:.2f}' for v in figures_b)} | "
            + " / ".join(f"{d:+.2f} %" for d in differences)
            + " |"
        )
    same = sum(1 for i in common if abs(vidur[i][2] - triad[i][2]) < 1e-3)
    print()
    print(f"requests whose E2E agrees within 1 µs: {same} of {len(common)}; largest percentile difference {worst:.2f} %")


if __name__ == "__main__":
    main()
