"""SimPy 3 model of smpsim's locktorture scenario, for the side-by-side speed benchmark
(issue 24, bench/process.ts `locktorture-simpy`).

The same work as `smpsim run locktorture-ticket-vs-tas --set stop.ops=N`: `cpus` torture
writers, one per CPU, each looping think -> spin_lock -> hold -> spin_unlock on one lock
(kernel/locking/locktorture.c lock_torture_writer), with
  - think and hold drawn from exponentials (means 1 us and 200 ns) by inversion and rounded
    to whole nanoseconds, as smpsim's samplers do (src/engine/distributions.ts);
  - a FIFO lock with zero acquire and hand-off costs (the scenario's ticket lock with
    lock_acquire = lock_handoff = 0): a simpy.Resource of capacity 1, which grants requests
    in arrival order;
  - the run ending at the N-th completed acquisition.
It prints one JSON line with what both models report, to check they did the same work:
acquisitions, simulated time, acquisitions per simulated second, mean latency (lock call to
unlock), lock utilisation (hold time / simulated time), share of contended acquisitions and
the per-writer min/max. The random streams differ (Python's Mersenne Twister vs smpsim's
per-task streams), so the figures agree statistically, not to the bit.

Usage: /usr/bin/python3 bench/simpy/locktorture.py [--ops N] [--cpus 8] [--think 1000]
       [--hold 200] [--seed 1]
"""
import argparse
import json
import math
import random
import sys
import time

import simpy


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--ops', type=int, default=2_000_000)
    ap.add_argument('--cpus', type=int, default=8)
    ap.add_argument('--think', type=float, default=1000.0, help='mean think time, ns')
    ap.add_argument('--hold', type=float, default=200.0, help='mean hold time, ns')
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()

    t0 = time.perf_counter()
    env = simpy.Environment()
    lock = simpy.Resource(env, capacity=1)
    done = env.event()
    stats = {'ops': 0, 'latency': 0, 'hold': 0, 'contended': 0}
    per_task = [0] * a.cpus

    def exp_ns(rng: random.Random, mean: float) -> int:
        # Inversion and rounding to whole ns, as smpsim's exp sampler.
        return math.floor(-mean * math.log(1.0 - rng.random()) + 0.5)

    def writer(i: int, rng: random.Random):
        while True:
            yield env.timeout(exp_ns(rng, a.think))
            t_lock = env.now
            if lock.count > 0:
                stats['contended'] += 1
            with lock.request() as req:
                yield req
                hold = exp_ns(rng, a.hold)
                yield env.timeout(hold)
            stats['hold'] += hold
            stats['latency'] += env.now - t_lock
            stats['ops'] += 1
            per_task[i] += 1
            if stats['ops'] == a.ops:
                done.succeed()

    for i in range(a.cpus):
        env.process(writer(i, random.Random(a.seed * 1000 + i)))
    env.run(until=done)
    wall = time.perf_counter() - t0

    n = stats['ops']
    now = env.now
    print(json.dumps({
        'ops': n,
        'sim_time_ns': now,
        'per_sec': n / now * 1e9,
        'latency_mean_ns': stats['latency'] / n,
        'lock_utilisation': stats['hold'] / now,
        'contended_share': stats['contended'] / n,
        'per_task': {'min': min(per_task), 'max': max(per_task)},
        'model_wall_s': wall,
        'simpy': simpy.__version__,
        'python': sys.version.split()[0],
    }))


if __name__ == '__main__':
    main()
