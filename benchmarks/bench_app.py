#!/usr/bin/env python3
"""The teaching app's speed: simulated days per second as a class sees them, network drawn.

    python benchmarks/bench_app.py [--days 60] [--render-intervals 1 5 10]

The app's live page (``commons_abm.app``: the network, the events feed, four time series, one
day's energy flows, the households' money, the rules and shocks cards) is
rendered with Solara's test renderer, without a browser, around the sidebar's default
model (the default neighbourhood, 325 agents, ``full_ostrom``), and its Step button is
pressed as a teacher would, with SolaraViz's render interval set to each value: every
press advances that many days and redraws every figure once (the app's default is 5).
The network is drawn by matplotlib on the server (a PNG), the time series by the browser
(Vega-Lite: the server sends their data). Reference, in the same
process: the same days stepped by ``model.step()`` alone, nothing drawn. Figures encoded
as PNG, as the server sends them; a browser adds only the transfer of the images.

The last line is the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
warnings.filterwarnings("ignore", message=".*use_state. found despite early return")

import ipyvuetify as v  # noqa: E402
import solara  # noqa: E402

from commons_abm import app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=60, help="simulated days per measurement")
    parser.add_argument("--render-intervals", type=int, nargs="+", default=[1, 5, 10])
    args = parser.parse_args()
    figures: dict[str, object] = {"python": platform.python_version(), "cpus": os.cpu_count()}

    warm = app.default_model()
    for _ in range(args.days):  # every stage's compiled kernels loaded (a meeting day included)
        warm.step()
    reference = app.default_model()
    started = time.perf_counter()
    for _ in range(args.days):
        reference.step()
    bare = args.days / (time.perf_counter() - started)
    figures["days_per_second_model_only"] = bare
    print(f"reference: model.step() alone, {reference.state.n} agents: {bare:.1f} days/s")

    for interval in args.render_intervals:
        model = solara.reactive(app.default_model())

        @solara.component
        def Layout(model=model):
            with solara.AppLayout():
                app.build_page(model)

        rc = solara.render(Layout(), handle_error=False)[1]  # closed below: one page at a time
        rc.find(v.Slider, label="Render Interval (steps)").widget.v_model = interval
        step = rc.find(v.Btn, children=["Step"]).widget
        step.click()  # first draw of every figure
        presses = max(1, args.days // interval)
        started = time.perf_counter()
        for _ in range(presses):
            step.click()
        seconds = time.perf_counter() - started
        rate = presses * interval / seconds
        figures[f"days_per_second_render_interval_{interval}"] = rate
        rc.close()
        print(
            f"render interval {interval}: {presses * interval} days in {seconds:.2f} s, {rate:.1f} days/s "
            f"({seconds / presses * 1000:.0f} ms per press: {interval} day(s) and one redraw)"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
