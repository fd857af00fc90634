"""Turns `cargo bench --bench rnn` results into the tables of docs/performance.md.

    cargo bench --bench rnn
    python3 benches/report.py                      # prints markdown tables
    cargo run --release --example bench_plot       # draws docs/static_vs_dynamic.svg (plotters)

Reads criterion's `target/criterion/**/new/{benchmark,estimates}.json` and uses
the median of each benchmark. Needs nothing beyond the Python standard library.
"""

import json
import math
import pathlib
import sys

CRITERION = pathlib.Path("target/criterion")


def load():
    """{(group, function, parameter): median in microseconds}"""
    results = {}
    for estimates in CRITERION.glob("**/new/estimates.json"):
        meta = json.loads((estimates.parent / "benchmark.json").read_text())
        median_ns = json.loads(estimates.read_text())["median"]["point_estimate"]
        results[(meta["group_id"], meta["function_id"], int(meta["value_str"]))] = median_ns / 1000
    return results


def fmt(us):
    return f"{us:.3f}" if us < 10 else f"{us:.1f}"


def static_dynamic_table(results, group, parameter_name):
    parameters = sorted({p for (g, _, p) in results if g == group})
    if not parameters:
        return ""
    lines = [
        f"| {parameter_name} | static (us) | dynamic (us) | dynamic / static |",
        "|---:|---:|---:|---:|",
    ]
    for p in parameters:
        s, d = results.get((group, "static", p)), results.get((group, "dynamic", p))
        if s and d:
            lines.append(f"| {p} | {fmt(s)} | {fmt(d)} | {d / s:.2f} |")
    return "\n".join(lines)


def scalar_table(results):
    lines = [
        "| hidden | f32 static | f64 static | f32 dynamic | f64 dynamic |",
        "|---:|---:|---:|---:|---:|",
    ]
    for h in sorted({p for (g, _, p) in results if g == "train/f64"}):
        cells = [results.get((f"train/{t}", kind, h)) for kind in ("static", "dynamic") for t in ("f32", "f64")]
        if all(cells):
            lines.append(f"| {h} | " + " | ".join(fmt(c) for c in cells) + " |")
    return "\n".join(lines)


def crossover(results, group):
    """The hidden sizes at which dynamic is at least as fast as static."""
    return [
        p
        for (g, f, p) in sorted(results)
        if g == group and f == "static" and results.get((g, "dynamic", p), math.inf) <= results[(g, f, p)]
    ]


def main():
    results = load()
    if not results:
        print("no results under target/criterion: run `cargo bench --bench rnn` first", file=sys.stderr)
        return 1
    print("Training, one sample (forward, BPTT, SGD update), 8-bit sums:\n")
    print(static_dynamic_table(results, "train/hidden", "hidden"))
    print(f"\nHidden sizes where dynamic is as fast as static: {crossover(results, 'train/hidden') or 'none'}")
    print("\nInference, one 8-step addition:\n")
    print(static_dynamic_table(results, "infer/hidden", "hidden"))
    print(f"\nHidden sizes where dynamic is as fast as static: {crossover(results, 'infer/hidden') or 'none'}")
    print("\nTraining at hidden 16, by sum width:\n")
    print(static_dynamic_table(results, "train/sum_bits", "sum bits"))
    print("\nInference at hidden 16, by sum width (steps):\n")
    print(static_dynamic_table(results, "infer/sum_bits", "sum bits"))
    print("\nTraining, f32 against f64 (us per sample):\n")
    print(scalar_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
