#!/usr/bin/env python3
"""Two commits side by side: the same benchmark scripts run alternately on each, in one run.

    python benchmarks/bench_commits.py [--base REF] [--rounds 3] [--quick]

Checks out ``--base`` (default: the commit before the sub-package layout) in a temporary
git worktree, then runs ``bench_run.py`` and ``bench_engines.py`` (each commit's own copy
of them) alternately on the base and on the working tree, ``--rounds`` times, each in a
fresh interpreter with its own kernel cache compiled beforehand. Alternating spreads the
host's drift over both sides. It prints the median of each figure on each side and their
ratio (working tree / base: above 1 is slower for times, faster for rates); the last line
is JSON. ``--quick`` uses small sizes, to check the script itself.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYOUT_BASE = "cc88a25"  # the last commit of the flat package (before the sub-package layout)

# figure -> (script, arguments, how to read it from the script's JSON, "time" or "rate")
FULL = {
    "year_status_quo_s": ("bench_run.py", ["--agents", "1000", "10000"], ("default_year_s", "status_quo"), "time"),
    "year_full_ostrom_s": ("bench_run.py", ["--agents", "1000", "10000"], ("default_year_s", "full_ostrom"), "time"),
    "us_per_agent_step_1000": (
        "bench_run.py",
        ["--agents", "1000", "10000"],
        ("sizes", 0, "us_per_agent_step"),
        "time",
    ),
    "us_per_agent_step_10000": (
        "bench_run.py",
        ["--agents", "1000", "10000"],
        ("sizes", 1, "us_per_agent_step"),
        "time",
    ),
    "engine_ratio_1000": ("bench_engines.py", ["--agents", "1000"], ("ratio",), "rate"),
    "array_agent_steps_per_s_1000": ("bench_engines.py", ["--agents", "1000"], ("array_agent_steps_per_s",), "rate"),
    "reference_agent_steps_per_s_1000": (
        "bench_engines.py",
        ["--agents", "1000"],
        ("reference_agent_steps_per_s",),
        "rate",
    ),
}
QUICK_ARGS = {
    "bench_run.py": ["--agents", "200", "400", "--steps", "10", "--repeats", "1"],
    "bench_engines.py": ["--agents", "200", "--steps", "5", "--repeats", "1"],
}


def _read(data: dict, path: tuple) -> float:
    for key in path:
        data = data[key]
    return float(data)


def _run(tree: Path, script: str, args: list[str], cache: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "NUMBA_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, str(tree / "benchmarks" / script), *args],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=LAYOUT_BASE)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-commits-"))
    base = work / "base"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base), args.base], check=True, capture_output=True
    )
    trees = {"base": base, "head": ROOT}
    try:
        scripts = {script: (QUICK_ARGS[script] if args.quick else a) for script, a, _, _ in FULL.values()}
        # compile each side's kernels once, outside the timings
        for side, tree in trees.items():
            _run(tree, "bench_run.py", QUICK_ARGS["bench_run.py"], work / f"cache-{side}")
        values: dict[str, dict[str, list[float]]] = {side: {k: [] for k in FULL} for side in trees}
        for round_ in range(args.rounds):
            order = ("base", "head") if round_ % 2 == 0 else ("head", "base")
            for script, script_args in scripts.items():
                for side in order:
                    out = _run(trees[side], script, script_args, work / f"cache-{side}")
                    for figure, (s, _, path, _) in FULL.items():
                        if s == script:
                            values[side][figure].append(_read(out, path))
        summary = {}
        print(f"base {args.base} against the working tree, {args.rounds} rounds alternated: medians (best)")
        for figure, (_, _, _, sense) in FULL.items():
            b, h = (statistics.median(values[side][figure]) for side in ("base", "head"))
            best = min if sense == "time" else max
            bb, hb = (best(values[side][figure]) for side in ("base", "head"))
            ratio = h / b
            summary[figure] = {"base": b, "head": h, "ratio": ratio, "best_ratio": hb / bb, "kind": sense}
            print(
                f"{figure:>34}: base {b:12.4f}  head {h:12.4f}  head/base {ratio:6.3f} (best {hb / bb:6.3f}, {sense})"
            )
        print(
            json.dumps(
                {"base": args.base, "rounds": args.rounds, "quick": args.quick, "figures": summary, "raw": values}
            )
        )
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
