#!/usr/bin/env python3
"""A commune-sized territory on the array engine: wall time and peak memory.

    python benchmarks/bench_scale.py [--agents 100000] [--steps 365] [--rulebook FILE]
                                     [--tracemalloc]

Builds the shipped default scenario (``experiments/scenarios/default.toml``) resized to
``--agents`` agents with the same mix of households, firms and officials (300 : 20 : 5)
and one neighbourhood per 80 agents, in sweep mode (no Mesa agent objects, the network
generated straight into arrays, array-level indicators only), under the scenario's own
rules (``status_quo``) or ``--rulebook``, and runs ``--steps`` daily steps on one core.
Prints set-up and run wall time, CPU time, and peak memory: the process's peak resident
set (``resource.getrusage(...).ru_maxrss``, which includes the interpreter and imported
libraries) and, with ``--tracemalloc``, the peak of memory allocated through Python and
numpy during set-up and run (tracemalloc slows the run a little; the times are then not
the reference ones). Targets (issue 4): 100,000 agents x 365 steps in under 60 s with
peak memory under 2 GB. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
import tracemalloc

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

from commons_abm.core.scenario import Scenario, load_scenario, with_overrides  # noqa: E402
from commons_abm.model import CommonsModel  # noqa: E402

TARGET_S, TARGET_MB = 60.0, 2048.0


def commune(agents: int) -> Scenario:
    """The shipped default scenario with its mix of actors, resized to ``agents``."""
    firms = max(1, round(agents * 20 / 325))
    officials = max(1, round(agents * 5 / 325))
    return with_overrides(
        load_scenario(None),
        **{
            "territory.households": agents - firms - officials,
            "territory.firms": firms,
            "territory.officials": officials,
            "territory.neighbourhoods": max(1, agents // 80),
        },
    )


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far [MiB] (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rulebook", default=None)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args(argv)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}; load average {os.getloadavg()[0]:.2f}"
    )
    rss_before = peak_rss_mb()
    if args.tracemalloc:
        tracemalloc.start()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    model = CommonsModel(commune(args.agents), seed=args.seed, rulebook=args.rulebook, create_agents=False)
    wall1, cpu1 = time.perf_counter(), time.process_time()
    frame = model.run(args.steps)
    wall2, cpu2 = time.perf_counter(), time.process_time()
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
    rss = peak_rss_mb()

    setup, run = wall1 - wall0, wall2 - wall1
    total = wall2 - wall0
    s = model.scenario.territory
    print(
        f"territory: {args.agents} agents ({s.households} households, {s.firms} firms, {s.officials} officials, "
        f"{s.neighbourhoods} neighbourhoods, {model.state.ties.n_ties} ties), rules "
        f"{model.institutions.name!r}, seed {args.seed}"
    )
    print(
        f"set-up {setup:.3f} s; {args.steps} steps {run:.2f} s wall ({cpu2 - cpu1:.2f} s CPU), "
        f"{run / args.steps * 1e3:.1f} ms per step, {run / (args.agents * args.steps) * 1e6:.3f} us per agent-step"
    )
    print(f"total {total:.2f} s (target < {TARGET_S:.0f} s: {'met' if total < TARGET_S else 'MISSED'})")
    print(
        f"peak resident memory {rss:.0f} MiB (before building the model: {rss_before:.0f} MiB; "
        f"target < {TARGET_MB:.0f} MiB: {'met' if rss < TARGET_MB else 'MISSED'})"
        + (f"; peak traced allocations {traced:.0f} MiB" if traced is not None else "")
    )
    residual = float(frame["energy_balance_residual_kwh"].abs().max())
    print(
        f"largest daily energy balance residual {residual:.2e} kWh; material "
        f"{float(frame['material_balance_residual_kg'].abs().max()):.2e} kg"
    )
    print(
        json.dumps(
            {
                "agents": args.agents,
                "steps": args.steps,
                "setup_s": setup,
                "run_s": run,
                "total_s": total,
                "cpu_s": cpu2 - cpu0,
                "peak_rss_mb": rss,
                "peak_traced_mb": traced,
                "us_per_agent_step": run / (args.agents * args.steps) * 1e6,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
