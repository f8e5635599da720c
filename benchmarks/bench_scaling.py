#!/usr/bin/env python3
"""How the cost of a step grows with agents and steps; where the time of a step goes.

    python benchmarks/bench_scaling.py [--sizes 100 300 1000 3000 10000 30000 100000]
                                       [--reference-sizes 100 300 1000 3000] [--repeats 3]
                                       [--figure docs/figures/scaling.png]

On one core, for the shipped default scenario resized (``bench_scale.commune``: the
300 : 20 : 5 mix of households, firms and officials, one neighbourhood per 80 agents,
its ``status_quo`` rules), in sweep mode:

1. **agents**: microseconds per agent-step of the array engine from 100 to 100,000
   agents (best of ``--repeats``, over a number of steps that keeps each timing near a
   second), and of the reference engine (``engine="agents"``) at ``--reference-sizes``;
2. **steps**: run time of 10, 30, 100 and 365 steps at 10,000 agents (linear in steps);
3. **stages**: CPU time of each named stage of a step at 10,000 and 100,000 agents,
   averaged over 20 steps after a 5-step warm-up (``model.step()``'s path, one Python
   call per stage; ``model.run()`` runs the same kernels in one compiled loop);
4. **floors**, measured in the same run: the random draws a step must make whatever the
   engine (the seeded streams fix them: a log-normal per agent-hour and per agent-day of
   demand, a log-normal per agent for materials, a uniform per agent for each decision
   and review; drawn by the model's own functions), and one bare numpy multiply-add over
   a (24, N) array.

Writes a log-log figure (``--figure``) and prints tables; the last line is JSON.
"""

from __future__ import annotations

import argparse
import collections
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
from bench_run import bare_numpy_pass  # noqa: E402
from bench_scale import commune  # noqa: E402

from commons_abm.core.calendar import day_of_step  # noqa: E402
from commons_abm.core.scenario import DemandNoise  # noqa: E402
from commons_abm.model import CommonsModel  # noqa: E402
from commons_abm.territory.build import lognormal_noise  # noqa: E402
from commons_abm.territory.demand import demand_noise  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def run_time(agents: int, steps: int, engine: str = "arrays", seed: int = 1) -> float:
    """Wall seconds of ``steps`` steps (set-up excluded)."""
    model = CommonsModel(commune(agents), seed=seed, create_agents=False, engine=engine)
    t = time.perf_counter()
    model.run(steps)
    return time.perf_counter() - t


def steps_for(agents: int, budget_agent_steps: float) -> int:
    return int(min(365, max(3, budget_agent_steps // agents)))


def stage_profile(agents: int, steps: int = 20, warmup: int = 5) -> dict[str, float]:
    """CPU milliseconds per step of each stage."""
    model = CommonsModel(commune(agents), seed=1, create_agents=False)
    model.run(warmup)
    spent: collections.Counter[str] = collections.Counter()
    e = model.scenario.energy
    for _ in range(steps):
        model.steps += 1  # what mesa's step wrapper does
        day = day_of_step(model.steps - 1, e.start_day_of_year, e.start_weekday)
        for name, stage in model.stages:
            t = time.process_time()
            stage(day)
            spent[name] += time.process_time() - t
    return {name: spent[name] / steps * 1e3 for name, _ in model.stages}


def draw_floor(agents: int, repeats: int = 5) -> float:
    """Seconds per step of the random draws alone: the model's own functions, the same
    kinds and sizes as a step."""
    rng = np.random.default_rng(0)
    noise = DemandNoise()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        demand_noise(rng, noise, agents, 1)  # daily and hourly demand
        lognormal_noise(rng, 0.2, agents)  # materials
        rng.random(agents)  # decisions
        rng.random(agents)  # membership review
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000, 3000, 10000, 30000, 100000])
    parser.add_argument("--reference-sizes", type=int, nargs="+", default=[100, 300, 1000, 3000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--figure", default=str(ROOT / "docs" / "figures" / "scaling.png"))
    args = parser.parse_args(argv)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}; load average {os.getloadavg()[0]:.2f}"
    )

    print("\n1. cost per agent-step against territory size")
    print(
        f"{'agents':>8} {'steps':>6} {'array us':>9} {'draws us':>9} {'bare pass ns':>12} {'x bare':>7}"
        f" {'reference us':>12} {'ratio':>6}"
    )
    rows = []
    for n in sorted(set(args.sizes) | set(args.reference_sizes)):
        row: dict[str, float] = {"agents": n}
        if n in args.sizes:
            steps = steps_for(n, 2e6)
            best = min(run_time(n, steps) for _ in range(args.repeats))
            row.update(
                steps=steps,
                array_us=best / (n * steps) * 1e6,
                draws_us=draw_floor(n) / n * 1e6,
                bare_ns=bare_numpy_pass(n) / n * 1e9,
            )
        if n in args.reference_sizes:
            ref_steps = steps_for(n, 1.5e4)
            row.update(
                reference_steps=ref_steps, reference_us=run_time(n, ref_steps, engine="agents") / (n * ref_steps) * 1e6
            )
        rows.append(row)
        fmt = lambda key, spec, row=row: format(row[key], spec) if key in row else "-"  # noqa: E731
        ratio = row["reference_us"] / row["array_us"] if "reference_us" in row and "array_us" in row else None
        print(
            f"{n:>8} {fmt('steps', 'd') if 'steps' in row else '-':>6} {fmt('array_us', '.3f'):>9} "
            f"{fmt('draws_us', '.3f'):>9} {fmt('bare_ns', '.2f'):>12} "
            f"{(row['array_us'] * 1e3 / row['bare_ns']) if 'array_us' in row else float('nan'):>7.0f} "
            f"{fmt('reference_us', '.1f'):>12} {ratio if ratio else float('nan'):>6.0f}"
        )

    print("\n2. cost against steps, 10,000 agents (array engine, one run each)")
    step_rows = []
    for steps in (10, 30, 100, 365):
        t = run_time(10_000, steps)
        step_rows.append({"steps": steps, "run_s": t})
        print(f"{steps:>5} steps: {t:7.3f} s, {t / steps * 1e3:6.2f} ms per step")

    print("\n3. where the time of a step goes (CPU ms per step, array engine)")
    profiled = [n for n in (10_000, 100_000) if n in args.sizes] or [max(args.sizes)]
    profiles = {n: stage_profile(n) for n in profiled}
    names = list(next(iter(profiles.values())))
    print(f"{'stage':20s}" + "".join(f" {f'{n:,} agents':>22s}" for n in profiles))
    for name in names + ["total"]:
        cells = []
        for prof in profiles.values():
            value = sum(prof.values()) if name == "total" else prof[name]
            cells.append(f"{value:10.2f} ms {value / sum(prof.values()) * 100:6.1f} %")
        print(f"{name:20s}" + "".join(f" {c:>22s}" for c in cells))

    _figure(rows, step_rows, Path(args.figure))
    print(f"\nfigure: {args.figure}")
    print(json.dumps({"sizes": rows, "steps": step_rows, "stages_ms": {str(k): v for k, v in profiles.items()}}))
    return 0


def _figure(rows: list[dict], step_rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    arr = [r for r in rows if "array_us" in r]
    ref = [r for r in rows if "reference_us" in r]
    n = np.array([r["agents"] for r in arr], float)
    left.loglog(n, [r["array_us"] * r["agents"] / 1e3 for r in arr], "o-", label="array engine")
    left.loglog(
        [r["agents"] for r in ref],
        [r["reference_us"] * r["agents"] / 1e3 for r in ref],
        "s-",
        label="reference engine (Mesa agents)",
    )
    left.loglog(n, [r["draws_us"] * r["agents"] / 1e3 for r in arr], ":", label="random draws alone")
    left.loglog(n, [r["bare_ns"] * r["agents"] / 1e6 for r in arr], "--", label="one bare (24, N) pass")
    left.set_xlabel("agents")
    left.set_ylabel("time per step [ms]")
    left.set_title("Cost of a step against territory size")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    right.loglog([r["steps"] for r in step_rows], [r["run_s"] for r in step_rows], "o-")
    right.set_xlabel("steps")
    right.set_ylabel("run time [s]")
    right.set_title("10,000 agents: run time against steps")
    right.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=120)
    os.replace(tmp, path)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
