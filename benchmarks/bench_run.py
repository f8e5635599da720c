#!/usr/bin/env python3
"""Throughput of the array engine: agent-steps per second, and one year of the default scenario.

    python benchmarks/bench_run.py [--agents 1000 10000] [--steps 60] [--repeats 3]

For each territory size it prints set-up time, agent-steps per second and microseconds
per agent-step, next to a reference measured in the same run on the same machine: the
time of one bare numpy pass over a (24, N) array (an hourly multiply-add for every
agent), so the figures can be compared across machines. It then times one simulated
year (365 steps) of the shipped default scenario under its own rules (``status_quo``)
and under ``full_ostrom.toml`` (every stage active). The last line is JSON.
Runs on one core (set OMP/MKL/OPENBLAS threads to 1 before numpy loads).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

from commons_abm.core.scenario import Scenario, load_scenario  # noqa: E402
from commons_abm.model import CommonsModel  # noqa: E402


def scaled_scenario(agents: int) -> Scenario:
    """The default scenario with the same mix of households, firms and officials, resized."""
    sc = Scenario(name=f"bench-{agents}")
    firms = max(1, round(agents * 20 / 325))
    officials = max(1, round(agents * 5 / 325))
    sc.territory.households = agents - firms - officials
    sc.territory.firms = firms
    sc.territory.officials = officials
    sc.territory.neighbourhoods = max(1, agents // 80)
    return sc


def bare_numpy_pass(n: int, repeats: int = 50) -> float:
    """Seconds for one hourly multiply-add over ``n`` agents (the floor of any stage)."""
    a = np.random.default_rng(0).random((24, n))
    b = np.random.default_rng(1).random(n)
    out = np.empty_like(a)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        np.multiply(a, b, out=out)
        out += a
        best = min(best, time.perf_counter() - t)
    return best


FULL_OSTROM = Path(__file__).resolve().parents[1] / "experiments" / "rulebooks" / "full_ostrom.toml"


def measure(agents: int, steps: int, repeats: int) -> dict[str, float]:
    """Best-of-``repeats`` timing of ``steps`` steps of a territory of ``agents`` agents."""
    setups, runs = [], []
    for r in range(repeats):
        t0 = time.perf_counter()
        model = CommonsModel(scaled_scenario(agents), seed=r, create_agents=False)
        t1 = time.perf_counter()
        model.run(steps)
        t2 = time.perf_counter()
        setups.append(t1 - t0)
        runs.append(t2 - t1)
    run = min(runs)
    return {
        "agents": agents,
        "steps": steps,
        "setup_s": min(setups),
        "run_s": run,
        "agent_steps_per_s": agents * steps / run,
        "us_per_agent_step": run / (agents * steps) * 1e6,
        "bare_numpy_pass_us_per_agent": bare_numpy_pass(agents) / agents * 1e6,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    rows = []
    for agents in args.agents:
        row = measure(agents, args.steps, args.repeats)
        rows.append(row)
        print(
            f"{agents:>7} agents x {args.steps} steps: set-up {row['setup_s'] * 1e3:7.1f} ms, "
            f"{row['agent_steps_per_s']:>12,.0f} agent-steps/s "
            f"({row['us_per_agent_step']:.3f} us per agent-step; reference bare numpy pass "
            f"{row['bare_numpy_pass_us_per_agent'] * 1e3:.2f} ns per agent)"
        )

    default = load_scenario(None)
    years = {}
    for rulebook in (None, FULL_OSTROM):
        year = []
        for r in range(args.repeats):
            t = time.perf_counter()
            model = CommonsModel(default, seed=r, create_agents=False, rulebook=rulebook)
            model.run(365)
            year.append(time.perf_counter() - t)
        name = model.institutions.name
        years[name] = min(year)
        print(
            f"default scenario ({default.n_agents} agents) under {name}, one simulated year "
            f"(365 steps): {min(year):.3f} s (best of {args.repeats}; target < 5 s)"
        )
    print(json.dumps({"sizes": rows, "default_year_s": years, "default_agents": default.n_agents}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
