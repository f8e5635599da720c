#!/usr/bin/env python3
"""Sweep throughput: runs per second with 1 and 2 local workers, and the headline sweep end to end.

    python benchmarks/bench_sweep.py [--experiment experiments/design_principles_sobol.toml]
                                     [--scaling-base-samples 16] [--end-to-end-base-samples N]
                                     [--keep DIR]

1. Reference, measured in the same invocation: the time of one run of the experiment
   (its first sample, first replicate) in this process, without the sweep machinery
   (best of three).
2. Worker scaling: the experiment's first ``--scaling-base-samples`` base samples (16:
   832 runs of the headline design) swept into a fresh folder with 1 and then 2 local
   worker processes; runs per second, the speed-up, and the overhead over the reference
   (sweep seconds per run x workers / reference seconds per run). One worker runs in this
   process; two are fresh processes, whose start (imports and loading the compiled
   kernels, about 2 s each) the rate includes.
3. With ``--end-to-end-base-samples N`` (0: the file's own base_samples): the whole
   ``commons-abm sensitivity`` pipeline (sweep with all cores, SALib analysis, figures)
   and its wall time. ``--keep DIR`` writes that sweep's folder (runs, indices, figures)
   to ``DIR`` instead of a temporary folder; DIR must not exist yet, so the timing is
   always that of a sweep from scratch.

The last line is the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

from commons_abm.sweeps.executors import Executor, sweep  # noqa: E402
from commons_abm.sweeps.experiment import load_experiment  # noqa: E402
from commons_abm.sweeps.runs import plan, run_batch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", type=Path, default=ROOT / "experiments" / "design_principles_sobol.toml")
    parser.add_argument("--scaling-base-samples", type=int, default=16)
    parser.add_argument("--end-to-end-base-samples", type=int, default=None)
    parser.add_argument(
        "--keep", type=Path, default=None, help="write the end-to-end sweep to this new folder and keep it"
    )
    args = parser.parse_args()
    if args.keep is not None and args.keep.exists():
        parser.error(f"--keep {args.keep}: already exists; allowed: a folder that does not exist yet")

    experiment = load_experiment(args.experiment)
    figures: dict[str, object] = {
        "experiment": experiment.spec.name,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
    }
    first = plan(experiment, 1)[:1]
    reference = float("inf")
    for _ in range(3):  # best of three, the first one paying for imports
        started = time.perf_counter()
        run_batch(experiment, first)
        reference = min(reference, time.perf_counter() - started)
    figures["reference_seconds_per_run"] = reference
    print(f"reference: one run of {experiment.spec.steps} steps in this process: {reference:.3f} s")

    rates = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            report = sweep(
                experiment,
                Path(tmp) / "out",
                Executor(workers=workers),
                base_samples=args.scaling_base_samples,
                progress=False,
            )
        rate = report.runs_computed / report.seconds
        rates[workers] = rate
        overhead = report.seconds * workers / report.runs_computed / reference
        print(
            f"{workers} worker(s): {report.runs_computed} runs in {report.seconds:.1f} s, {rate:.2f} runs/s, "
            f"{overhead:.2f} x the reference per run per worker"
        )
        figures[f"runs_per_second_{workers}_workers"] = rate
        figures["scaling_runs"] = report.runs_computed
    figures["speedup_2_vs_1"] = rates[2] / rates[1]
    print(f"speed-up 2 vs 1 workers: {rates[2] / rates[1]:.2f}")

    if args.end_to_end_base_samples is not None:
        with tempfile.TemporaryDirectory() as tmp:
            out = args.keep.resolve() if args.keep is not None else Path(tmp) / "out"
            command = [
                sys.executable,
                "-m",
                "commons_abm",
                "sensitivity",
                str(args.experiment),
                "--out",
                str(out),
                "--no-progress",
            ]
            if args.end_to_end_base_samples:
                command += ["--base-samples", str(args.end_to_end_base_samples)]
            started = time.perf_counter()
            subprocess.run(command, check=True, cwd=ROOT)
            wall = time.perf_counter() - started
        runs = len(plan(experiment, args.end_to_end_base_samples or None))
        print(f"end to end: {runs} runs, sweep + analysis + figures in {wall:.1f} s ({runs / wall:.2f} runs/s)")
        figures.update(end_to_end_runs=runs, end_to_end_seconds=wall)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
