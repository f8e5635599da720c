#!/usr/bin/env python3
"""A community's evaluation from its members file to its report, timed as a newcomer runs it.

    python benchmarks/bench_evaluate.py [--members experiments/territories/members_example.csv]
                                        [--seeds 30] [--years 2] [--samples 100] [--workers 2]

Runs the two commands a community runs, in fresh processes, as the command line does:
``commons-abm territory MEMBERS.csv --out territory.toml`` then ``commons-abm evaluate
--scenario territory.toml --today status_quo --proposal full_ostrom --years 2 --seeds 30
--out report/`` with every shipped shock (the baseline and 6 shocks, 30 paired runs each,
and 100 sampled futures, 2 runs each, for where the proposal fails: 410 pairs, 820
two-year runs).
First with the model's compiled kernels already cached (the usual case: ``pip install``
then a first run), then with the cache emptied (the first run after an install compiles
them). Reference, in the same process: one two-year run of the territory under each
rulebook, times the number of runs, on one core.

The last line is the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=Path, default=ROOT / "experiments" / "territories" / "members_example.csv")
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cold", action="store_true", help="also time a run with the numba cache emptied")
    args = parser.parse_args()
    figures: dict[str, object] = {"python": platform.python_version(), "cpus": os.cpu_count(), "workers": args.workers}

    from commons_abm.core.scenario import load_scenario
    from commons_abm.model import CommonsModel
    from commons_abm.shocks import shipped_shocks

    cli = [sys.executable, "-m", "commons_abm"]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        territory = Path(tmp) / "territory.toml"
        figures["territory_s"] = _timed([*cli, "territory", str(args.members), "--out", str(territory)], env)

        scenario = load_scenario(territory)
        steps = args.years * 365
        for book in ("status_quo", "full_ostrom"):
            CommonsModel(scenario, seed=0, create_agents=False, rulebook=book).run(steps)  # kernels loaded
        started = time.perf_counter()
        for book in ("status_quo", "full_ostrom"):
            CommonsModel(scenario, seed=1, create_agents=False, rulebook=book).run(steps)
        pair_s = time.perf_counter() - started
        pairs = (1 + len(shipped_shocks())) * args.seeds + args.samples * 2  # 2 replicates per sample
        figures["pairs"] = pairs
        figures["reference_pair_s"] = pair_s
        figures["reference_serial_estimate_s"] = pair_s * pairs
        serial = pair_s * pairs
        print(f"reference: a pair of {args.years}-year runs {pair_s:.3f} s; {pairs} pairs on one core ≈ {serial:.0f} s")

        evaluate = [*cli, "evaluate", "--scenario", str(territory), "--today", "status_quo", "--proposal"]
        evaluate += ["full_ostrom", "--years", str(args.years), "--seeds", str(args.seeds), "--samples"]
        evaluate += [str(args.samples), "--workers", str(args.workers), "--no-progress"]
        warm = _timed([*evaluate, "--out", str(Path(tmp) / "warm")], env)
        figures["evaluate_cached_kernels_s"] = warm
        print(f"territory: {figures['territory_s']:.1f} s; evaluate (kernels cached): {warm:.1f} s")
        if args.cold:
            cache = Path(tmp) / "numba_cache"
            cold = _timed([*evaluate, "--out", str(Path(tmp) / "cold")], {**env, "NUMBA_CACHE_DIR": str(cache)})
            shutil.rmtree(cache, ignore_errors=True)
            figures["evaluate_cold_kernels_s"] = cold
            print(f"evaluate (kernels compiled first): {cold:.1f} s")
        report = Path(tmp) / "warm" / "report.html"
        figures["report_kb"] = round(report.stat().st_size / 1024, 1)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
