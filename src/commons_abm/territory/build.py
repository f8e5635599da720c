"""The territory at the start: who lives where, their demand, PV, waste and ties."""

from __future__ import annotations

import numpy as np

from commons_abm.behaviour.motives import draw_motives
from commons_abm.core.kernels import kernel
from commons_abm.core.kinds import KINDS, LOAD_PROFILES, default_profile, resident_mask, role_mask
from commons_abm.core.scenario import Consumers, Member, Scenario
from commons_abm.core.state import State
from commons_abm.territory.members import ordered_members, read_metered_load
from commons_abm.territory.network import build_ties

__all__ = ["build_state", "lognormal_noise", "lognormal_with_mean"]

DAYS_PER_YEAR = 365.0


def lognormal_with_mean(mean: float, cv: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """Positive values with the given mean and coefficient of variation (log-normal)."""
    return float(mean) * lognormal_noise(rng, float(cv), int(size))


@kernel
def lognormal_noise(rng, cv, size):  # pragma: no cover - compiled
    """``size`` log-normal values of mean 1 and coefficient of variation ``cv`` (ones, and
    no draw, when ``cv`` is 0)."""
    out = np.ones(size)
    if cv <= 0:
        return out
    sigma2 = np.log1p(cv * cv)
    mu, sigma = -sigma2 / 2, np.sqrt(sigma2)
    for i in range(size):
        out[i] = np.exp(mu + sigma * rng.standard_normal())
    return out


def _household_pv_kwp(count: int, mean_kwp: float, rng: np.random.Generator) -> np.ndarray:
    """Household PV sizes in the Observ'ER 2022 classes (64.5 % <= 3 kWp, 25.5 % 3-9 kWp,
    10 % 9-36 kWp), rescaled so that adopters average ``mean_kwp``."""
    cls = rng.choice(3, size=count, p=[0.645, 0.255, 0.10])
    low = np.array([1.0, 3.0, 9.0])[cls]
    high = np.array([3.0, 9.0, 36.0])[cls]
    kwp = low + (high - low) * rng.random(count)
    if count and kwp.mean() > 0:
        kwp *= mean_kwp / kwp.mean()
    return kwp


def _demand_and_pv(
    spec: Consumers, count: int, rng: np.random.Generator, resident: bool
) -> tuple[np.ndarray, np.ndarray]:
    demand = lognormal_with_mean(spec.annual_demand_kwh, spec.demand_spread, count, rng)
    adopters = rng.random(count) < spec.pv_adoption
    kwp = np.zeros(count)
    n_adopt = int(adopters.sum())
    if resident:
        kwp[adopters] = _household_pv_kwp(n_adopt, spec.pv_kwp_mean, rng)
    else:
        kwp[adopters] = lognormal_with_mean(spec.pv_kwp_mean, 0.4, n_adopt, rng)
    return demand, kwp


def _load_profiles(scenario: Scenario, members: list[Member], kind: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Each participant's column of the demand tables and the metered loads, ``(365, 24, m)``
    (none when no participant brings one): a metered file read once however many share it."""
    profile = default_profile(kind)
    files: dict[str, int] = {}
    shapes = []
    for i, row in enumerate(members):
        if row.load_profile is None:
            continue
        if row.load_profile in LOAD_PROFILES:
            profile[i] = LOAD_PROFILES.index(row.load_profile)
            continue
        path = scenario.resolve(row.load_profile)
        key = str(path.resolve())
        if key not in files:
            files[key] = len(LOAD_PROFILES) + len(shapes)
            shapes.append(read_metered_load(path))
        profile[i] = files[key]
    return profile, (np.ascontiguousarray(np.stack(shapes, axis=2)) if shapes else None)


def build_state(scenario: Scenario, rngs: dict[str, np.random.Generator]) -> State:
    """Draw the initial territory from the scenario (streams ``territory`` and ``network``).

    Agents are numbered kind by kind, in the order of :data:`~commons_abm.core.kinds.KINDS`;
    each kind's number, energy and motives come from the scenario sections its row names.
    With ``territory.members``, the participants are the agents (in
    :func:`~commons_abm.territory.members.ordered_members` order): their neighbourhoods (numbered
    in order of first appearance), demand, PV, persons (default: ``persons_per_household``) and
    load profiles are theirs, not drawn; the rest is drawn as without."""
    t, e, m = scenario.territory, scenario.energy, scenario.materials
    rng = rngs["territory"]
    members = ordered_members(t.members) if t.members is not None else None
    counts = [int(getattr(t, k.count)) for k in KINDS]
    n = sum(counts)
    kind = np.repeat(np.array([k.code for k in KINDS], dtype=np.int8), counts)
    bounds = np.cumsum([0, *counts])

    # neighbourhoods: each kind spread evenly over them, in random order (or the members')
    neighbourhood = np.empty(n, dtype=np.int32)
    if members is not None:
        names: dict[str, int] = {}
        neighbourhood[:] = [names.setdefault(row.neighbourhood, len(names)) for row in members]
    else:
        start = 0
        for count in counts:
            labels = np.arange(count, dtype=np.int32) % t.neighbourhoods
            neighbourhood[start : start + count] = rng.permutation(labels)
            start += count

    # positions: neighbourhoods are cells of a grid over the unit square
    side = int(np.ceil(np.sqrt(t.neighbourhoods)))
    cell = np.stack([neighbourhood % side, neighbourhood // side], axis=1).astype(float)
    position = (cell + rng.random((n, 2))) / side

    homes = resident_mask(kind)
    nh = int(homes.sum())
    persons = np.zeros(n)
    if members is None:
        persons[homes] = np.clip(rng.poisson(t.persons_per_household - 1, nh) + 1, 1, None).astype(float)
        if nh:
            persons[homes] *= t.persons_per_household / persons[homes].mean()
    else:
        own = np.array([row.persons if row.persons is not None else t.persons_per_household for row in members])
        persons[homes] = own[homes]
    energy_poor = np.zeros(n, dtype=bool)
    energy_poor[homes] = rng.random(nh) < t.energy_poor_share

    demand = np.empty(n)
    kwp = np.empty(n)
    load_profile, metered_load = default_profile(kind), None
    if members is None:
        for k, lo, hi in zip(KINDS, bounds[:-1], bounds[1:]):
            demand[lo:hi], kwp[lo:hi] = _demand_and_pv(getattr(e, k.energy), hi - lo, rng, k.resident)
    else:
        demand[:] = [row.annual_kwh for row in members]
        kwp[:] = [row.pv_kwp for row in members]
        load_profile, metered_load = _load_profiles(scenario, members, kind)
    performance = np.clip(rng.normal(1.0, 0.08, n), 0.6, 1.2)

    member = rng.random(n) < scenario.rules.membership_share

    discards, trades = role_mask(kind, "discards_goods"), role_mask(kind, "trades_byproducts")
    nf = int(trades.sum())
    waste = np.zeros(n)
    waste[discards] = persons[discards] * m.households.kg_per_inhabitant_year / DAYS_PER_YEAR
    firm_input = np.zeros(n)
    firm_byproduct = np.zeros(n)
    firm_input[trades] = lognormal_with_mean(m.firms.input_kg_per_day, 0.5, nf, rng)
    firm_byproduct[trades] = lognormal_with_mean(m.firms.byproduct_kg_per_day, 0.5, nf, rng)
    input_type = np.full(n, -1, dtype=np.int16)
    byproduct_type = np.full(n, -1, dtype=np.int16)
    input_type[trades] = rng.integers(0, m.firms.material_types, nf)
    byproduct_type[trades] = rng.integers(0, m.firms.material_types, nf)

    b = scenario.behaviour
    ties = build_ties(scenario, kind, neighbourhood, position, rngs["network"], b.initial_trust_interpersonal)

    state = State(
        kind=kind,
        neighbourhood=neighbourhood,
        persons=persons,
        energy_poor=energy_poor,
        annual_demand_kwh=demand,
        pv_kwp=kwp,
        pv_performance=performance,
        member=member,
        battery_received_kwh=np.zeros(n),
        contributed_kwh=np.zeros(n),
        waste_kg_per_day=waste,
        input_kg_per_day=firm_input,
        byproduct_kg_per_day=firm_byproduct,
        input_type=input_type,
        byproduct_type=byproduct_type,
        trust_institutional=np.full(n, b.initial_trust_institutional),
        satisfaction=np.full(n, b.initial_satisfaction),
        position=position,
        ties=ties,
        load_profile=load_profile,
        metered_load=metered_load,
    )
    state.commons.battery_soc_kwh = e.battery.initial_soc * e.battery.capacity_kwh
    # motives last, so that adding them left every earlier draw of the territory stream as it was
    state.svo[:], state.group_weight[:], state.cc_type[:] = draw_motives(kind, b, rng)
    state.belief[:] = b.decisions.initial_belief
    return state
