#!/usr/bin/env python3
"""The array engine against the reference engine (textbook Mesa), same scenario, same process.

    python benchmarks/bench_engines.py [--agents 1000] [--steps 30] [--reference-steps S]
                                       [--repeats 5]

Both engines run the default scenario's mix resized to ``--agents`` agents (as
``bench_run.py`` does) under ``experiments/rulebooks/full_ostrom.toml`` (every stage
active), from the same seed. The array engine runs ``--steps`` steps, best of
``--repeats``; the reference engine (``engine="agents"``: one Mesa agent object at a time,
``shuffle_do``) runs ``--reference-steps`` steps once (default: ``--steps``, but at most 3
steps from 10,000 agents up, to keep it bearable; the output says so). Set-up (building
the territory, and for the reference engine the agents and the network space) is timed
apart and not counted in agent-steps per second. The last line is JSON:
``{"agents", "steps", "reference_steps", "reference_agent_steps_per_s",
"array_agent_steps_per_s", "ratio", ...}``. Runs on one core.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_run import scaled_scenario  # noqa: E402

from commons_abm.model import CommonsModel  # noqa: E402

RULEBOOK = Path(__file__).resolve().parents[1] / "experiments" / "rulebooks" / "full_ostrom.toml"
SEED = 1


def time_engine(engine: str, agents: int, steps: int, seed: int) -> tuple[float, float]:
    """(set-up seconds, run seconds) of ``steps`` steps of one engine."""
    t0 = time.perf_counter()
    model = CommonsModel(scaled_scenario(agents), seed=seed, rulebook=RULEBOOK, engine=engine, create_agents=False)
    t1 = time.perf_counter()
    model.run(steps)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--reference-steps", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    n, steps = args.agents, args.steps
    ref_steps = args.reference_steps or (min(steps, 3) if n >= 10_000 else steps)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}; load average {os.getloadavg()[0]:.2f}"
    )
    print(f"scenario: default mix resized to {n} agents, rulebook full_ostrom, seed {SEED}")
    array_runs = [time_engine("arrays", n, steps, SEED) for _ in range(args.repeats)]
    array_setup = min(s for s, _ in array_runs)
    array_run = min(r for _, r in array_runs)
    ref_setup, ref_run = time_engine("agents", n, ref_steps, SEED)
    array_rate = n * steps / array_run
    ref_rate = n * ref_steps / ref_run
    print(
        f"array engine:     {steps} steps, set-up {array_setup * 1e3:8.1f} ms, run {array_run:8.3f} s "
        f"(best of {args.repeats}; range {min(r for _, r in array_runs):.3f}-{max(r for _, r in array_runs):.3f} s): "
        f"{array_rate:>12,.0f} agent-steps/s ({1e6 / array_rate:.3f} us per agent-step)"
    )
    print(
        f"sweep-mode set-up (no Mesa agents, network straight into arrays), {n} agents: "
        f"{array_setup * 1e3:.1f} ms, best of {args.repeats}"
        + (" (target < 20 ms at 1,000 agents)" if n == 1000 else "")
    )
    note = f" (fewer steps than the array engine's {steps}, to keep it bearable)" if ref_steps < steps else ""
    print(
        f"reference engine: {ref_steps} steps{note}, set-up {ref_setup * 1e3:8.1f} ms, run {ref_run:8.3f} s (once): "
        f"{ref_rate:>12,.0f} agent-steps/s ({1e6 / ref_rate:.1f} us per agent-step)"
    )
    ratio = array_rate / ref_rate
    print(f"ratio (array / reference agent-steps per second): {ratio:.0f}")
    print(
        json.dumps(
            {
                "agents": n,
                "steps": steps,
                "reference_steps": ref_steps,
                "reference_agent_steps_per_s": ref_rate,
                "array_agent_steps_per_s": array_rate,
                "ratio": ratio,
                "array_setup_s": array_setup,
                "sweep_setup_ms": array_setup * 1e3,
                "reference_setup_s": ref_setup,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
