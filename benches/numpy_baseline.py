"""The seed's algorithm in numpy: the baseline const-rnn's speed is measured against.

A 2-16-1 Elman network without biases, sigmoid units, weights uniform in [-1, 1),
trained by backpropagation through time and plain SGD (learning rate 0.1), one
sample at a time, on 10,000 random sums of two operands below 128 (8-bit sums),
written the way the seed's numpy program is: one small matrix product per step.

    pip install numpy
    python3 benches/numpy_baseline.py                 # one run: us/sample, convergence, exactness
    python3 benches/numpy_baseline.py --compare       # numpy against `const-rnn bench`, same machine

`--compare` builds nothing: run `cargo build --release` first. It times numpy
three times and takes the median, runs `target/release/const-rnn bench`, and
prints the speed ratio of each of const-rnn's static and dynamic networks over numpy.
"""

import argparse
import statistics
import subprocess
import sys
import time

import numpy as np

SUM_BITS = 8
HIDDEN = 16


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# BITS[v] is v as SUM_BITS bits, least significant first: looked up, not computed, per sample.
BITS = np.array([[(v >> step) & 1 for step in range(SUM_BITS)] for v in range(2**SUM_BITS)], dtype=np.float64)


def train(samples, seed):
    """Trains one network; returns its weights, the seconds spent and the convergence sample."""
    rng = np.random.RandomState(seed)
    w_ih = rng.uniform(-1.0, 1.0, (2, HIDDEN))
    w_hh = rng.uniform(-1.0, 1.0, (HIDDEN, HIDDEN))
    w_ho = rng.uniform(-1.0, 1.0, (HIDDEN, 1))
    operand_limit = 2 ** (SUM_BITS - 1)
    streak, converged_at = 0, None

    started = time.perf_counter()
    for sample in range(1, samples + 1):
        a, b = rng.randint(operand_limit), rng.randint(operand_limit)
        inputs = np.stack([BITS[a], BITS[b]], axis=1)
        targets = BITS[a + b]

        # Forward, keeping every hidden state; hidden[0] is h_0 = 0.
        hidden = [np.zeros((1, HIDDEN))]
        delta_outputs, predicted = [], 0
        for step in range(SUM_BITS):
            x = inputs[step : step + 1]
            h = sigmoid(x @ w_ih + hidden[-1] @ w_hh)
            o = sigmoid(h @ w_ho)
            delta_outputs.append((targets[step] - o) * o * (1.0 - o))
            predicted |= int(o[0, 0] > 0.5) << step
            hidden.append(h)

        # Backward through time; the updates already point downhill.
        update_ih, update_hh, update_ho = np.zeros_like(w_ih), np.zeros_like(w_hh), np.zeros_like(w_ho)
        delta_next = np.zeros((1, HIDDEN))
        for step in reversed(range(SUM_BITS)):
            h, h_prev, delta_o = hidden[step + 1], hidden[step], delta_outputs[step]
            delta_h = (delta_next @ w_hh.T + delta_o @ w_ho.T) * h * (1.0 - h)
            update_ho += h.T @ delta_o
            update_hh += h_prev.T @ delta_h
            update_ih += inputs[step : step + 1].T @ delta_h
            delta_next = delta_h
        w_ih += 0.1 * update_ih
        w_hh += 0.1 * update_hh
        w_ho += 0.1 * update_ho

        streak = streak + 1 if predicted == a + b else 0
        if streak == 100 and converged_at is None:
            converged_at = sample
    return (w_ih, w_hh, w_ho), time.perf_counter() - started, converged_at


def add(weights, a, b, steps):
    w_ih, w_hh, w_ho = weights
    h, total = np.zeros((1, HIDDEN)), 0
    for step in range(steps):
        x = np.array([[(a >> step) & 1, (b >> step) & 1]], dtype=np.float64)
        h = sigmoid(x @ w_ih + h @ w_hh)
        total |= int(sigmoid(h @ w_ho)[0, 0] > 0.5) << step
    return total


def one_run(samples, seed):
    weights, seconds, converged_at = train(samples, seed)
    exact = sum(add(weights, a, b, SUM_BITS) == a + b for a in range(128) for b in range(128))
    us = 1e6 * seconds / samples
    print(f"numpy: {us:.1f} us/sample, first sample ending 100 exact in a row: {converged_at}, "
          f"exact sums of all 128 x 128 operands below 128: {exact}/16384")
    return us


def compare(samples, seed):
    numpy_us = statistics.median(one_run(samples, seed) for _ in range(3))
    print(f"numpy median of 3 runs: {numpy_us:.1f} us/sample")
    bench = subprocess.run(["target/release/const-rnn", "bench"], capture_output=True, text=True, check=True)
    print(bench.stdout, end="")
    for line in bench.stdout.splitlines():
        kind, _, rest = line.partition(" ")
        if kind in ("static", "dynamic") and "us/sample" in rest:
            rust_us = float(rest.split()[0])
            print(f"{kind}: {numpy_us / rust_us:.0f} times numpy's speed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compare", action="store_true", help="also run `const-rnn bench` and print the ratios")
    args = parser.parse_args()
    if args.compare:
        compare(args.samples, args.seed)
    else:
        one_run(args.samples, args.seed)


if __name__ == "__main__":
    sys.exit(main())
