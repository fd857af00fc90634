"""Turns `cargo bench --bench rnn` results into the README's tables and an SVG plot.

    cargo bench --bench rnn
    python3 benches/report.py            # prints markdown tables, writes docs/static_vs_dynamic.svg

Reads criterion's `target/criterion/**/new/{benchmark,estimates}.json` and uses
the median of each benchmark. Needs nothing beyond the Python standard library.
"""

import json
import math
import pathlib
import sys

CRITERION = pathlib.Path("target/criterion")
SVG = pathlib.Path("docs/static_vs_dynamic.svg")


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


def svg_plot(results):
    """A log-log plot of time per call against hidden size, static and dynamic."""
    width, height, margin = 640, 400, 60
    series = [
        ("train/hidden", "static", "#1f77b4", "training, static"),
        ("train/hidden", "dynamic", "#1f77b4", "training, dynamic"),
        ("infer/hidden", "static", "#d62728", "inference, static"),
        ("infer/hidden", "dynamic", "#d62728", "inference, dynamic"),
    ]
    points = {(g, f): sorted((p, us) for (gg, ff, p), us in results.items() if gg == g and ff == f) for g, f, _, _ in series}
    all_p = [p for pts in points.values() for p, _ in pts]
    all_us = [us for pts in points.values() for _, us in pts]
    if not all_p:
        return None
    x0, x1 = math.log2(min(all_p)), math.log2(max(all_p))
    y0, y1 = math.floor(math.log10(min(all_us))), math.ceil(math.log10(max(all_us)))

    def xy(p, us):
        x = margin + (math.log2(p) - x0) / max(x1 - x0, 1e-9) * (width - 2 * margin)
        y = height - margin - (math.log10(us) - y0) / max(y1 - y0, 1e-9) * (height - 2 * margin)
        return x, y

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">const-rnn: time per sample, static vs dynamic sizes (8-bit sums, f64)</text>',
    ]
    for decade in range(y0, y1 + 1):
        _, y = xy(min(all_p), 10**decade)
        out.append(f'<line x1="{margin}" x2="{width - margin}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{margin - 6}" y="{y + 4:.1f}" text-anchor="end">{10**decade:g} us</text>')
    for p in sorted(set(all_p)):
        x, _ = xy(p, 10**y0)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{margin}" y2="{height - margin}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{height - margin + 16}" text-anchor="middle">{p}</text>')
    out.append(f'<text x="{width / 2}" y="{height - 15}" text-anchor="middle">hidden units</text>')
    for i, (g, f, colour, label) in enumerate(series):
        pts = points[(g, f)]
        if not pts:
            continue
        dash = "" if f == "static" else ' stroke-dasharray="6 4"'
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(p, us) for p, us in pts))
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for p, us in pts:
            x, y = xy(p, us)
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        ly = margin + 10 + 18 * i
        out.append(f'<line x1="{margin + 10}" x2="{margin + 40}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{margin + 46}" y="{ly + 4}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


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
    svg = svg_plot(results)
    if svg:
        SVG.parent.mkdir(exist_ok=True)
        SVG.write_text(svg)
        print(f"\nwrote {SVG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
