"""The ``commons-abm`` command line.

Bad input (a scenario file, a command-line argument) gives one line on stderr naming
the file or option, the field and what is allowed, exit status 2, and no output written.

Over 400 lines: each command's parser and its handler (run, game, sweep, sensitivity, store, app, territory,
evaluate)
are read together, and the handlers import their work lazily so that the parser loads fast.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from commons_abm import __version__
from commons_abm.core.errors import InputError

__all__ = ["main"]

EXIT_BAD_INPUT = 2
# commons_abm.games.TREATMENTS, repeated so that the parser imports no game code
GAME_CPR_TREATMENTS = (
    "baseline",
    "one_shot_communication",
    "repeated_communication",
    "sanctions",
    "communication_sanctions",
    "chosen_sanctions",
)


class _OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one-line :class:`InputError`s."""

    def error(self, message: str):  # type: ignore[override]
        raise InputError(self.prog, None, message)


def _int_at_least(minimum: int, name: str, maximum: int | None = None):
    def parse(text: str) -> int:
        if not text.isascii() or not text.isdigit() or len(text) > 18:  # plain digits: no sign, space, _ or 1e3
            raise argparse.ArgumentTypeError(
                f"{name}: {text!r} is not a whole number written in digits; allowed: integer >= {minimum}"
            )
        value = int(text)
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"{name}: {value} is too large; allowed: {minimum} to {maximum}")
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{name}: {value} is too small; allowed: integer >= {minimum}")
        return value

    return parse


def _out_path(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("--out: empty; allowed: a folder path")
    return Path(text)


def _toml_out(text: str) -> Path:
    if not text.strip() or not text.endswith(".toml"):
        raise argparse.ArgumentTypeError(f"--out: {text!r}; allowed: the path of a .toml file to write")
    return Path(text)


def _parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="commons-abm",
        description="Agent-based model of a territory's energy and material commons.",
    )
    parser.add_argument("--version", action="version", version=f"commons-abm {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    run = commands.add_parser("run", help="run one scenario and write its results and figures")
    run.add_argument(
        "scenario",
        nargs="?",
        type=Path,
        default=None,
        help="scenario TOML file (default: experiments/scenarios/default.toml)",
    )
    run.add_argument(
        "--steps",
        type=_int_at_least(1, "--steps"),
        default=None,
        help="simulated days (default: the scenario's run.steps)",
    )
    run.add_argument(
        "--seed", type=_int_at_least(0, "--seed"), default=None, help="random seed (default: the scenario's run.seed)"
    )
    run.add_argument(
        "--rulebook",
        type=Path,
        default=None,
        help="rulebook TOML file; overrides the scenario's rules.rulebook (shipped ones: experiments/rulebooks/)",
    )
    run.add_argument(
        "--shock",
        action="append",
        default=[],
        metavar="SHOCK",
        help="a shock on its days, by file or shipped name (experiments/shocks/: "
        "price_spike, dark_month, ...); repeat for several",
    )
    run.add_argument("--out", type=_out_path, default=None, help="output folder (default: results/<scenario name>)")
    run.add_argument(
        "--engine",
        choices=("arrays", "agents"),
        default="arrays",
        help="arrays: whole-population compiled stages (default, fast); agents: the "
        "reference engine, one Mesa agent at a time (readable, slow)",
    )
    run.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    game = commands.add_parser("game", help="play a lab game with the model's behavioural core")
    games = game.add_subparsers(dest="game", metavar="GAME")
    games.required = True
    pg = games.add_parser("public-goods", help="linear public goods game (Fehr & Gächter 2000)")
    pg.add_argument("--punishment", action="store_true", help="costly punishment stage (1 : 3)")
    pg.add_argument(
        "--matching",
        choices=("partner", "stranger"),
        default="partner",
        help="fixed groups (partner) or new groups every period (stranger)",
    )
    pg.add_argument("--groups", type=_int_at_least(1, "--groups"), default=50, help="groups of 4")
    pg.add_argument("--periods", type=_int_at_least(1, "--periods"), default=10)
    pg.add_argument("--seed", type=_int_at_least(0, "--seed"), default=0)
    pg.add_argument("--out", type=_out_path, required=True, help="output folder")
    cpr = games.add_parser("cpr", help="common-pool appropriation game (Ostrom, Gardner & Walker 1994)")
    cpr.add_argument("--treatment", choices=GAME_CPR_TREATMENTS, default="baseline")
    cpr.add_argument("--endowment", type=int, choices=(10, 25), default=25, help="tokens per player")
    cpr.add_argument("--groups", type=_int_at_least(1, "--groups"), default=50, help="groups of 8")
    cpr.add_argument(
        "--rounds",
        type=_int_at_least(1, "--rounds"),
        default=20,
        help="rounds; the first 10 are the baseline phase of every treatment",
    )
    cpr.add_argument("--seed", type=_int_at_least(0, "--seed"), default=0)
    cpr.add_argument("--out", type=_out_path, required=True, help="output folder")

    for name, help_text in (
        ("sweep", "run an experiment's samples and store one row per run"),
        (
            "sensitivity",
            "run (or resume) an experiment's sweep, then its sensitivity analysis, indices.csv and figures",
        ),
    ):
        _add_sweep_options(commands.add_parser(name, help=help_text))
    store = commands.add_parser("store", help="check or repair a sweep's output folder")
    actions = store.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, help_text in (
        ("check", "check every chunk against the manifest (exit status 1 if the store is damaged)"),
        ("repair", "quarantine damaged or unknown chunks and rebuild the manifest from the intact ones"),
    ):
        command = actions.add_parser(action, help=help_text)
        command.add_argument("out", type=Path, metavar="DIR", help="the sweep's output folder")
        command.add_argument(
            "experiment",
            type=Path,
            nargs="?",
            help="the sweep's experiment file: to count the runs still to compute, and to rebuild a lost manifest",
        )
    territory = commands.add_parser(
        "territory", help="write the scenario of a community's own territory from its members file"
    )
    territory.add_argument(
        "members",
        type=Path,
        help="members CSV, one row per participant: id, kind (household, firm, public), neighbourhood, "
        "annual_kwh, pv_kwp, and optionally battery_kwh, persons, load_profile (docs/scenario.md)",
    )
    territory.add_argument("--out", type=_toml_out, required=True, help="the scenario TOML file to write")
    territory.add_argument(
        "--base",
        default=None,
        help="scenario every other field is taken from: a file or a shipped name (default: the shipped default)",
    )
    _add_evaluate_options(
        commands.add_parser(
            "evaluate",
            help="weigh a proposed rulebook against today's on a territory, under shocks, and write a report",
        )
    )
    app = commands.add_parser("app", help="serve the teaching app in the browser (a commons, live)")
    app.add_argument(
        "--host",
        type=_host,
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 for every interface)",
    )
    app.add_argument("--port", type=_int_at_least(1, "--port", 65535), default=8765, help="port (default: 8765)")
    return parser


def _add_evaluate_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--scenario", required=True, help="the territory: a scenario file (e.g. from `territory`) or a shipped name"
    )
    command.add_argument("--today", required=True, help="today's rulebook: a file or a shipped name")
    command.add_argument("--proposal", required=True, help="the proposed rulebook: a file or a shipped name")
    command.add_argument(
        "--years", type=_int_at_least(1, "--years", maximum=50), default=2, help="simulated years (default: 2)"
    )
    command.add_argument(
        "--seeds",
        type=_int_at_least(2, "--seeds", maximum=10000),
        default=30,
        help="paired runs per situation (default: 30)",
    )
    shocks = command.add_mutually_exclusive_group()
    shocks.add_argument(
        "--shocks",
        action="append",
        default=None,
        metavar="FILE",
        help="a shock file, a folder of them or a shipped shock's name; repeat for several "
        "(default: every shipped shock, experiments/shocks/)",
    )
    shocks.add_argument("--no-shocks", action="store_true", help="the baseline only")
    command.add_argument(
        "--samples",
        type=_int_at_least(20, "--samples", maximum=100000),
        default=100,
        help="futures sampled to find where the proposal fails (default: 100)",
    )
    command.add_argument(
        "--replicates",
        type=_int_at_least(1, "--replicates", maximum=100),
        default=2,
        help="runs of each sampled future, on seeds shared by every sample (default: 2)",
    )
    command.add_argument("--lang", choices=("en", "fr"), default="en", help="the report's language (default: en)")
    command.add_argument(
        "--workers",
        type=_int_at_least(1, "--workers", maximum=max(4 * (os.cpu_count() or 1), 4)),
        default=None,
        help="local worker processes (default: all cores)",
    )
    command.add_argument("--out", type=_out_path, required=True, help="the report's folder")
    command.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _shock_files(values: list[str]) -> list:
    """The shocks named on the command line: files, folders of files, shipped names."""
    from commons_abm.shocks import load_shock

    shocks = []
    for value in values:
        path = Path(value)
        if path.is_dir():
            files = sorted(path.glob("*.toml"))
            if not files:
                raise InputError("--shocks", None, f"{value}: a folder with no .toml file; allowed: shock files")
            shocks += [load_shock(f) for f in files]
        else:
            shocks.append(load_shock(value))
    return shocks


def _evaluate(args: argparse.Namespace) -> int:
    import shlex

    from tqdm import tqdm

    from commons_abm.core.scenario import load_scenario, resolve_named
    from commons_abm.evaluation import VERDICT, Evaluation, evaluate
    from commons_abm.evaluation.report import verdict_counts, write_report
    from commons_abm.governance.rulebook import load_rulebook
    from commons_abm.shocks import shipped_shocks

    scenario = load_scenario(resolve_named(args.scenario, "scenarios"))
    today = load_rulebook(resolve_named(args.today, "rulebooks"))
    proposal = load_rulebook(resolve_named(args.proposal, "rulebooks"))
    if args.no_shocks:
        shocks = []
    else:
        shocks = _shock_files(args.shocks if args.shocks is not None else shipped_shocks())
    _check_out(args.out)
    evaluation = Evaluation(  # refuses a shock that cannot act, or a sampled future the scenario refuses
        scenario,
        today,
        proposal,
        years=args.years,
        seeds=args.seeds,
        shocks=tuple(shocks),
        samples=args.samples,
        replicates=args.replicates,
    )
    command = ["commons-abm", "evaluate", "--scenario", args.scenario, "--today", args.today]
    command += ["--proposal", args.proposal, "--years", str(args.years), "--seeds", str(args.seeds)]
    command += ["--no-shocks"] if args.no_shocks else [x for v in (args.shocks or []) for x in ("--shocks", v)]
    command += ["--samples", str(args.samples), "--replicates", str(args.replicates)]
    command += ["--lang", args.lang, "--out", str(args.out)]
    pairs = evaluation.pairs
    started = time.perf_counter()
    with tqdm(total=pairs, desc="evaluate", unit="pair", disable=args.no_progress, file=sys.stderr, leave=False) as bar:
        result = evaluate(evaluation, workers=args.workers, progress=bar.update)
    written = write_report(result, args.out, args.lang, shlex.join(command))
    better, worse = verdict_counts(result.verdict())
    print(
        f"{proposal.name} against {today.name} on {scenario.name}: {pairs} pairs of {args.years}-year runs "
        f"in {time.perf_counter() - started:.1f} s; with 90 % confidence the proposal does better on "
        f"{better} and worse on {worse} of {len(VERDICT)} indicators"
    )
    for path in written:
        print(f"  wrote {path}")
    return 0


def _host(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9.:\-\[\]]+", text):
        raise argparse.ArgumentTypeError(f"--host: {text!r} is not an address; allowed: an IP address or a host name")
    return text


def _app(args: argparse.Namespace) -> int:
    """Serve :mod:`commons_abm.app` with Solara's server until interrupted."""
    # warnings a teacher can do nothing about: Mesa 3.3.1's SolaraViz trips one of Solara's
    # hook checks, and Solara's server falls back to lax cookies over plain http
    quiet = ["-W", "ignore::UserWarning:solara.validate_hooks", "-W", "ignore::UserWarning:solara.server.starlette"]
    command = [sys.executable, *quiet, "-m", "solara", "run", "commons_abm.app", "--host", args.host]
    command += ["--port", str(args.port)]
    print(f"commons-abm: serving the teaching app on http://{args.host}:{args.port} (Ctrl+C stops it)", flush=True)
    server = subprocess.Popen([*command, "--production", "--no-open"])
    try:
        return server.wait()
    except KeyboardInterrupt:  # the server got the same Ctrl+C: let it close
        server.wait()
        return 0


def _add_sweep_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("experiment", type=Path, help="experiment TOML file (shipped ones: experiments/)")
    command.add_argument(
        "--out", type=_out_path, required=True, help="output folder; rerunning on it resumes the sweep"
    )
    engine = command.add_mutually_exclusive_group()
    engine.add_argument(
        "--workers",
        type=_int_at_least(1, "--workers", maximum=max(4 * (os.cpu_count() or 1), 4)),
        default=None,
        help="local worker processes (default: all cores; at most 4 per core)",
    )
    engine.add_argument(
        "--dask-local",
        type=_int_at_least(1, "--dask-local"),
        default=None,
        metavar="N",
        help="start a dask.distributed LocalCluster with N worker processes",
    )
    engine.add_argument(
        "--dask-scheduler", default=None, metavar="ADDRESS", help="use a running Dask cluster, e.g. tcp://host:8786"
    )
    command.add_argument(
        "--base-samples",
        type=_int_at_least(1, "--base-samples"),
        default=None,
        help="override the design's base_samples (Sobol and Morris samples for "
        "N are the first of those for 2N: the same folder can grow)",
    )
    command.add_argument(
        "--batch-size",
        type=_int_at_least(1, "--batch-size"),
        default=None,
        help="runs per task and per stored chunk (default: about 4 per worker, <= 64)",
    )
    command.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _game(args: argparse.Namespace) -> int:
    from commons_abm.games import CPRRules, play_cpr, play_public_goods
    from commons_abm.games.outputs import write_cpr, write_public_goods

    _check_out(args.out)
    if args.game == "public-goods":
        result = play_public_goods(
            punishment=args.punishment, matching=args.matching, groups=args.groups, periods=args.periods, seed=args.seed
        )
        written = write_public_goods(result, args.out)
        share = result.contribution_share
        print(
            f"public goods ({args.matching}, {'with' if args.punishment else 'no'} punishment): "
            f"contribution share {share[0]:.2f} in period 1, {share[-1]:.2f} in period {share.size}"
        )
    else:
        first = CPRRules().baseline_rounds
        if args.treatment != "baseline" and args.rounds <= first:
            raise InputError(
                "--rounds",
                None,
                f"{args.rounds} leaves no treatment rounds after the "
                f"{first} baseline rounds; allowed: integer >= {first + 1} for this treatment",
            )
        result = play_cpr(
            treatment=args.treatment, endowment=args.endowment, groups=args.groups, rounds=args.rounds, seed=args.seed
        )
        written = write_cpr(result, args.out)
        s = result.summary()
        print(
            f"CPR {args.treatment}, {args.endowment} tokens: gross efficiency "
            f"{s['gross_efficiency']:.2f}, net {s['net_efficiency']:.2f} (Nash {s['nash_efficiency']:.2f})"
        )
    for path in written:
        print(f"  wrote {path}")
    return 0


def _check_out(out: Path) -> None:
    from commons_abm.outputs.files import check_output_folder

    check_output_folder(out)


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from commons_abm.core.scenario import load_scenario, with_overrides
    from commons_abm.model import CommonsModel, institutions_for
    from commons_abm.outputs import files
    from commons_abm.outputs.figures import plot_energy_day, plot_indicators
    from commons_abm.shocks import active_scenario, load_shock

    scenario = load_scenario(args.scenario)
    overrides = {}
    if args.steps is not None:
        overrides["run.steps"] = args.steps
    if args.seed is not None:
        overrides["run.seed"] = args.seed
    if overrides:
        scenario = with_overrides(scenario, **overrides)
    institutions = institutions_for(scenario, args.rulebook)
    shocks = [load_shock(name) for name in args.shock]
    for shock in shocks:
        active_scenario(scenario, [shock], shock.start_day)  # a change the scenario does not allow, now
    out = args.out if args.out is not None else Path("results") / files.folder_name(scenario.name)
    _check_out(out)

    started = time.perf_counter()
    events_log = args.engine != "agents"  # the reference engine keeps none
    model = CommonsModel(
        scenario,
        create_agents=False,
        record_hourly=True,
        record_events=events_log,
        rulebook=institutions,
        engine=args.engine,
        shocks=shocks,
    )
    with tqdm(
        total=scenario.run.steps,
        desc=files.folder_name(scenario.name)[:40],
        unit="day",
        disable=args.no_progress,
        file=sys.stderr,
        leave=False,
    ) as bar:
        # with the bar, day by day; without, the days in one compiled loop (the same run)
        frame = model.run(progress=None if args.no_progress else bar.update)
    elapsed = time.perf_counter() - started

    inhabitants = float(model.state.persons.sum())
    summary = {
        "scenario": scenario.name,
        "scenario_file": scenario.source,
        "rulebook": institutions.name,
        "engine": args.engine,
        "design_principles": sorted(institutions.principles),
        "shocks": [shock.model_dump(mode="json") for shock in shocks],
        "seed": scenario.run.seed,
        "agents": model.state.n,
        "inhabitants": inhabitants,
        "wall_time_s": elapsed,
        "commons_abm_version": __version__,
        **files.summarise(frame, inhabitants, scenario.energy.battery.capacity_kwh),
        "parameters": scenario.model_dump(mode="json"),
    }
    production = frame["production_kwh"].to_numpy()
    sunny, dark = int(production.argmax()), int(production.argmin())
    days = [
        (f"sunniest day (day {int(frame['day_of_year'][sunny])} of the year)", model.hourly_flows(sunny)),
        (f"darkest day (day {int(frame['day_of_year'][dark])} of the year)", model.hourly_flows(dark)),
    ]

    events = model.events() if model.events_log is not None else None

    def write(folder: Path) -> None:
        files.write_timeseries(frame, folder)
        if events is not None:
            files.write_events(events, folder)
        files.write_json(summary, folder / "summary.json")
        plot_indicators(frame, folder / "indicators.png", title=f"{scenario.name}: key indicators")
        plot_energy_day(days, folder / "energy_day.png", title=f"{scenario.name}: one day's energy flows")

    written = files.atomic_output_dir(out, write)
    print(
        f"{scenario.name} under {institutions.name}: {scenario.run.steps} days, {model.state.n} agents "
        f"in {elapsed:.2f} s; self-sufficiency {summary['energy_self_sufficiency']:.1%}, "
        f"household waste recovery {summary['household_waste_recovery_rate_mean']:.1%}, "
        f"by-product exchange {summary['byproduct_exchange_rate_mean']:.1%}, "
        f"compliance {summary['compliance_rate_mean']:.1%}, "
        f"institutional trust {summary['trust_institutional_final']:.2f}"
    )
    for path in written:
        print(f"  wrote {path}")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from commons_abm.sweeps.executors import Executor, sweep
    from commons_abm.sweeps.experiment import load_experiment, refused_values
    from commons_abm.sweeps.sampling import check_design_size

    _check_out(args.out)
    if args.dask_scheduler is not None and not re.fullmatch(r"(tcp|tls|ucx|inproc)://[^\s/]+", args.dask_scheduler):
        raise InputError(
            "--dask-scheduler",
            None,
            f"{args.dask_scheduler!r} is not a scheduler address; allowed: "
            "PROTOCOL://HOST:PORT, e.g. tcp://10.0.0.5:8786",
        )
    experiment = load_experiment(args.experiment)
    check_design_size(experiment, args.base_samples)
    for problem in refused_values(experiment):
        print(f"commons-abm: warning: {args.experiment}: runs with {problem} will fail", file=sys.stderr)
    executor = Executor(workers=args.workers, dask_local=args.dask_local, dask_scheduler=args.dask_scheduler)
    try:
        report = sweep(
            experiment,
            args.out,
            executor,
            base_samples=args.base_samples,
            batch=args.batch_size,
            progress=not args.no_progress,
        )
    except KeyboardInterrupt:
        print(
            f"commons-abm: interrupted; the runs finished so far are stored in {args.out}; "
            "run the same command again to resume",
            file=sys.stderr,
        )
        return 130
    print(report)
    if report.mixed_models:
        print(
            f"commons-abm: warning: {args.out}: its runs were computed by {report.model_versions} versions of "
            "the model (the source hashes of the invocations in manifest.json differ); use a new folder "
            "for results from one version",
            file=sys.stderr,
        )
    if args.command == "sensitivity":
        from commons_abm.sweeps.sensitivity import analyse_sweep

        for path in analyse_sweep(experiment, args.out, base_samples=args.base_samples):
            print(f"  wrote {path}")
    return 0


def _territory(args: argparse.Namespace) -> int:
    import tempfile

    from commons_abm.core.scenario import load_scenario, resolve_named
    from commons_abm.territory.members import read_members, scenario_text

    out: Path = args.out
    if out.is_dir():
        raise InputError("--out", None, f"{out} is a folder; allowed: the path of a .toml file to write")
    members = read_members(args.members)
    base = load_scenario(resolve_named(args.base, "scenarios") if args.base is not None else None)
    text = scenario_text(members, base, args.members, out)
    made = [p for p in (out.parent, *out.parent.parents) if not p.exists()]
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{out.name}.partial-", suffix=".toml", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        load_scenario(partial)  # it loads where it is written, its paths resolved from there
        os.replace(partial, out)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
            for folder in made:  # the folders made for it, innermost first
                folder.rmdir()
    kinds = {k: sum(1 for m in members if m.kind == k) for k in ("household", "firm", "public")}
    print(
        f"wrote {out}: {len(members)} participants ({kinds['household']} households, {kinds['firm']} firms, "
        f"{kinds['public']} public buildings); every other field from {base.source}"
    )
    return 0


def _store(args: argparse.Namespace) -> int:
    from commons_abm.sweeps.maintenance import check_store, repair

    lines, healthy = (check_store if args.action == "check" else repair)(args.out, args.experiment)
    for line in lines:
        print(line)
    return 0 if healthy else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``commons-abm`` command."""
    try:
        args = _parser().parse_args(argv)
        if args.command == "run":
            return _run(args)
        if args.command == "game":
            return _game(args)
        if args.command in ("sweep", "sensitivity"):
            return _sweep(args)
        if args.command == "store":
            return _store(args)
        if args.command == "app":
            return _app(args)
        if args.command == "territory":
            return _territory(args)
        if args.command == "evaluate":
            return _evaluate(args)
        raise InputError("commons-abm", None, f"unknown command {args.command!r}")
    except InputError as exc:
        print(f"commons-abm: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("commons-abm: interrupted; nothing written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
