"""Fit the behavioural core to the lab targets and write ``calibration/fitted.toml``.

Usage (from the repository root)::

    .venv/bin/python calibration/calibrate.py            # full fit, seed 2026 (a few minutes)
    .venv/bin/python calibration/calibrate.py --maxiter 2 --popsize 3 --out /tmp/fit.toml

**Targets** (``calibration/targets/``): the mean contribution share of each of the 10
periods in the four public goods treatments of Fehr & Gächter 2000 (partner / stranger,
with / without punishment; ``fehr_gaechter_2000.csv``) and the four type shares of
Fischbacher, Gächter & Fehr 2001 (``fischbacher_gaechter_fehr_2001.toml``). The CPR
efficiencies of Ostrom, Gardner & Walker are kept out of the fit, for validation.

**Simulation**: :func:`commons_abm.games.play_public_goods` with the candidate behaviour,
``SESSIONS`` sessions of ``GROUPS`` groups per treatment, and the FGF strategy-method
classification of ``TYPE_SUBJECTS`` subjects
(:func:`commons_abm.games.strategy_method.measured_type_shares`). The sessions' seeds are
children of the calibration seed, the same for every candidate (common random numbers), so
the loss is a deterministic function of the parameters.
The lab's fixed settings: :class:`commons_abm.games.PublicGoodsRules` (punishment habits);
two of them are fitted with the behaviour: the expected damage per token of shortfall
before any punishment is seen (``lab.initial_sanction_belief``) and the share of what a
subject learned about punishment that it expects of strangers
(``lab.sanction_generalisation``).

**Loss**: ``z = (simulated - observed) / sigma`` for every target figure, ``sigma`` its
stated uncertainty (0.05 for the trajectories read off figures, the binomial standard
error of 44 subjects for the type shares); the loss is the mean of ``z^2`` over the 40
trajectory figures of the four treatments plus the mean of ``z^2`` over the 4 type
shares (each data set weighs the same). Candidates whose type shares do not add up
(``other`` < 0) get ``PENALTY`` plus the excess.

**Optimiser**: ``scipy.optimize.differential_evolution`` with a fixed seed, one worker,
no polishing: same seed, same ``fitted.toml``. **Uncertainty**: the standard deviation of
each parameter over the final population (candidates the optimiser still holds, all of
them near the best loss), and the loss of the best candidate under ``FRESH_SEED_SETS``
fresh sets of session seeds (simulation noise of the loss).

Parameters fitted (``PARAMETERS``): the type shares, the conditional cooperators' slope,
the weight of motives, the belief rate, the noise of deterrence, the initial belief and
the lab's initial expected sanction and what subjects expect of strangers. The territory
takes ``TERRITORY_FIELDS`` of them.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy.optimize import differential_evolution

from commons_abm.core.scenario import Behaviour
from commons_abm.games import PublicGoodsRules, play_public_goods
from commons_abm.games.strategy_method import TYPE_NAMES, measured_type_shares

HERE = Path(__file__).resolve().parent
TARGETS = HERE / "targets"
FITTED = HERE / "fitted.toml"

# (name in fitted.toml, bounds); names are paths under Behaviour
PARAMETERS = (
    ("conditional_cooperation.conditional", (0.2, 0.8)),
    ("conditional_cooperation.free_rider", (0.1, 0.6)),
    ("conditional_cooperation.hump_shaped", (0.0, 0.3)),
    ("conditional_cooperation.slope", (0.2, 1.2)),
    ("decisions.motive_weight", (0.0, 0.3)),
    ("decisions.belief_rate", (0.05, 1.0)),
    ("decisions.deterrence_noise", (0.05, 3.0)),
    ("decisions.initial_belief", (0.2, 1.0)),
    ("lab.initial_sanction_belief", (0.0, 2.0)),
    ("lab.sanction_generalisation", (0.0, 1.0)),
)
# Fields the territory model takes as its defaults (src/commons_abm/data/calibrated_behaviour.toml):
# the dispositions, which carry over from the lab to the territory (the conditional-
# cooperation type shares and slope), and the noise of deterrence (dimensionless,
# relative to the temptation). Not taken: the belief rate and initial belief (a lab period
# is not a territory day); the motive weight (identified only through the strategy method;
# in the territory it carries the cooperative floor of the cooperative motives of
# 000_027160d2fbf9a985.txt); the lab's own settings.
TERRITORY_FIELDS = (
    "conditional_cooperation.conditional",
    "conditional_cooperation.free_rider",
    "conditional_cooperation.hump_shaped",
    "conditional_cooperation.other",
    "conditional_cooperation.slope",
    "decisions.deterrence_noise",
)
TREATMENTS = {  # target name: (punishment, matching)
    "partner_no_punishment": (False, "partner"),
    "partner_punishment": (True, "partner"),
    "stranger_no_punishment": (False, "stranger"),
    "stranger_punishment": (True, "stranger"),
}
# Held out of the loss: none. All four treatments are fitted; stranger matching with
# punishment is separated from partner matching by what subjects expect of strangers
# (lab.sanction_generalisation, commons_abm.games.public_goods).
HELD_OUT: tuple[str, ...] = ()
# A starting guess: the values of a longer fit of the same loss (maxiter 60, seed 2026, before
# the goodwill credit of cooperation under punishment, commons_abm.behaviour.trust);
# differential evolution puts it in its initial population in place of the first member.
START = (0.4945, 0.3286, 0.1079, 0.9336, 0.0045, 0.7594, 1.35, 0.7806, 0.3239, 0.1084)
SESSIONS, GROUPS, TYPE_SUBJECTS = 3, 40, 2000
FRESH_SEED_SETS = 5
PENALTY = 1e4
DEFAULT_SEED = 2026


def load_targets() -> dict:
    """Trajectories (treatment -> (values, sigmas)) and type shares (values, sigmas)."""
    rows: dict[str, list[tuple[int, float, float]]] = {}
    with open(TARGETS / "fehr_gaechter_2000.csv", encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    for row in csv.DictReader(lines):
        rows.setdefault(row["treatment"], []).append(
            (int(row["period"]), float(row["mean_contribution_share"]), float(row["sigma"]))
        )
    trajectories = {}
    for name, values in rows.items():
        values.sort()
        trajectories[name] = (np.array([v for _, v, _ in values]), np.array([s for _, _, s in values]))
    with open(TARGETS / "fischbacher_gaechter_fehr_2001.toml", "rb") as fh:
        types = tomllib.load(fh)["type_shares"]
    shares = (np.array([types[t]["value"] for t in TYPE_NAMES]), np.array([types[t]["sigma"] for t in TYPE_NAMES]))
    return {"trajectories": trajectories, "types": shares}


def behaviour_from(x: np.ndarray, base: Behaviour | None = None) -> Behaviour | None:
    """The default behaviour with the fitted fields set to ``x``; None if the shares exceed 1."""
    data = (base or Behaviour()).model_dump()
    for (name, _), value in zip(PARAMETERS, x):
        section, field = name.split(".")
        if section != "lab":
            data[section][field] = float(value)
    cc = data["conditional_cooperation"]
    other = 1.0 - cc["conditional"] - cc["free_rider"] - cc["hump_shaped"]
    if other < -1e-9:
        return None
    cc["other"] = max(other, 0.0)
    return Behaviour(**data)


def rules_from(x: np.ndarray) -> PublicGoodsRules:
    """The lab's public goods rules with the fitted lab fields set to ``x``."""
    fields = {name.split(".")[1]: float(v) for (name, _), v in zip(PARAMETERS, x) if name.startswith("lab.")}
    return replace(PublicGoodsRules(), **fields)


def simulate(
    behaviour: Behaviour,
    seed: np.random.SeedSequence,
    rules: PublicGoodsRules | None = None,
    skip: tuple[str, ...] = (),
) -> dict:
    """Mean trajectories of the treatments (but ``skip``) and the measured type shares."""
    children = seed.spawn(len(TREATMENTS) * SESSIONS + 1)
    out = {}
    for k, (name, (punishment, matching)) in enumerate(TREATMENTS.items()):
        if name in skip:
            continue
        runs = [
            play_public_goods(
                behaviour,
                punishment=punishment,
                matching=matching,
                groups=GROUPS,
                seed=children[k * SESSIONS + s],
                rules=rules,
            ).contribution_share
            for s in range(SESSIONS)
        ]
        out[name] = np.mean(runs, axis=0)
    out["types"] = measured_type_shares(behaviour, TYPE_SUBJECTS, children[-1])
    return out


def chi_square(sim: dict, targets: dict, held_out: tuple[str, ...] = HELD_OUT) -> float:
    """The loss: for each data set (the trajectory figures of the fitted treatments, the 4
    type shares), the mean of the squared, sigma-scaled differences; the sum over the two."""
    z = [
        ((sim[name] - obs) / sigma) ** 2
        for name, (obs, sigma) in targets["trajectories"].items()
        if name not in held_out
    ]
    obs, sigma = targets["types"]
    return float(np.concatenate(z).mean()) + float((((sim["types"] - obs) / sigma) ** 2).mean())


def loss(x: np.ndarray, targets: dict, seed: np.random.SeedSequence) -> float:
    """Loss of parameter vector ``x`` under the session seeds of ``seed``."""
    behaviour = behaviour_from(x)
    if behaviour is None:
        return PENALTY * (1.0 + float(x[0] + x[1] + x[2] - 1.0))
    return chi_square(simulate(behaviour, seed, rules_from(x), skip=HELD_OUT), targets)


def calibrate(seed: int = DEFAULT_SEED, maxiter: int = 30, popsize: int = 6) -> dict:
    """Run the fit; returns what :func:`write_fitted` writes."""
    targets = load_targets()
    sims, fresh = np.random.SeedSequence(seed).spawn(2)
    bounds = [b for _, b in PARAMETERS]
    result = differential_evolution(
        loss,
        bounds,
        args=(targets, sims),
        seed=seed,
        maxiter=maxiter,
        popsize=popsize,
        tol=0.0,
        polish=False,
        workers=1,
        updating="immediate",
        init="latinhypercube",
        x0=np.array(START),
    )
    x = np.round(result.x, 6)  # the values written, to 6 decimals
    best, rules = behaviour_from(x), rules_from(x)
    sim = simulate(best, sims, rules)
    fresh_losses = [chi_square(simulate(best, s, rules), targets) for s in fresh.spawn(FRESH_SEED_SETS)]
    cc = best.conditional_cooperation
    values = {
        name: float(
            getattr(rules if name.startswith("lab.") else getattr(best, name.split(".")[0]), name.split(".")[1])
        )
        for name, _ in PARAMETERS
    }
    values["conditional_cooperation.other"] = float(cc.other)
    population = np.asarray(result.population)
    spread = {name: float(population[:, i].std()) for i, (name, _) in enumerate(PARAMETERS)}
    return {
        "seed": seed,
        "maxiter": maxiter,
        "popsize": popsize,
        "evaluations": int(result.nfev),
        "loss": float(result.fun),
        "fresh_losses": fresh_losses,
        "values": values,
        "spread": spread,
        "simulated": {k: v.tolist() for k, v in sim.items()},
    }


def _fmt(value: float) -> str:
    return repr(round(float(value), 6))


def render(fit: dict) -> str:
    """The text of ``fitted.toml``."""
    v, s = fit["values"], fit["spread"]
    lines = [
        "# Behavioural parameters fitted to the lab targets by calibration/calibrate.py.",
        "# Written by the script: do not edit by hand. Reproduce with",
        f"#   .venv/bin/python calibration/calibrate.py --seed {fit['seed']} --maxiter {fit['maxiter']} "
        f"--popsize {fit['popsize']}",
        "# Loss and method: see calibration/calibrate.py and docs/validation.md.",
        "",
        "schema_version = 1",
        "",
        "[calibration]",
        f"seed = {fit['seed']}",
        'optimiser = "scipy.optimize.differential_evolution"',
        f"maxiter = {fit['maxiter']}",
        f"popsize = {fit['popsize']}",
        f"evaluations = {fit['evaluations']}",
        f"sessions_per_treatment = {SESSIONS}",
        f"groups_per_session = {GROUPS}",
        f"type_subjects = {TYPE_SUBJECTS}",
        f"loss = {_fmt(fit['loss'])}  # mean squared z of the trajectories + of the type shares",
        f"loss_fresh_seeds = [{', '.join(_fmt(x) for x in fit['fresh_losses'])}]",
        "",
        "# Fitted values (Behaviour fields).",
    ]
    for section in ("conditional_cooperation", "decisions", "lab"):
        lines.append(f"[behaviour.{section}]" if section != "lab" else "[lab.public_goods]")
        for name, value in v.items():
            if name.startswith(section + "."):
                lines.append(f"{name.split('.')[1]} = {_fmt(value)}")
        lines.append("")
    lines.append("# Standard deviation of each fitted value over the optimiser's final population.")
    lines.append("[spread]")
    for name, value in s.items():
        lines.append(f'"{name}" = {_fmt(value)}')
    lines.append("")
    lines.append("# The fields the territory model takes as its defaults.")
    lines.append("[territory_defaults]")
    lines.append("fields = [" + ", ".join(f'"{f}"' for f in TERRITORY_FIELDS) + "]")
    lines.append("")
    lines.append("# Simulated values at the fitted parameters (same seeds as the fit).")
    lines.append("[simulated]")
    for name, values in fit["simulated"].items():
        lines.append(f"{name} = [{', '.join(_fmt(x) for x in values)}]")
    return "\n".join(lines) + "\n"


def packaged_text(fit: dict) -> str:
    """The packaged file (:data:`commons_abm.core.calibrated.CALIBRATED_FILE`): every fitted value,
    and which of them the territory model takes as its defaults."""
    lines = [
        "# Calibrated behaviour, copied from calibration/fitted.toml by",
        "# calibration/calibrate.py --install. Do not edit by hand.",
        "# territory_fields: the fields the territory model takes as its defaults;",
        "# the lab games (commons_abm.games) use all of them.",
        "",
        "territory_fields = [" + ", ".join(f'"{f}"' for f in TERRITORY_FIELDS) + "]",
        "",
    ]
    for section in ("conditional_cooperation", "decisions", "lab"):
        lines.append(f"[{section}]")
        lines += [
            f"{name.split('.')[1]} = {_fmt(value)}"
            for name, value in fit["values"].items()
            if name.startswith(section + ".")
        ]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--maxiter", type=int, default=30)
    parser.add_argument("--popsize", type=int, default=6)
    parser.add_argument("--out", type=Path, default=FITTED)
    parser.add_argument(
        "--install",
        action="store_true",
        help="also write the packaged copy src/commons_abm/data/calibrated_behaviour.toml",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    fit = calibrate(args.seed, args.maxiter, args.popsize)
    text = render(fit)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.out)
    if args.install:
        from commons_abm.core.calibrated import CALIBRATED_FILE

        CALIBRATED_FILE.write_text(packaged_text(fit), encoding="utf-8")
    print(
        f"loss {fit['loss']:.3f} after {fit['evaluations']} evaluations in "
        f"{time.perf_counter() - started:.1f} s; wrote {args.out}",
        file=sys.stderr,
    )
    for name, value in fit["values"].items():
        print(f"  {name} = {value:.4f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
