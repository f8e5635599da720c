"""Individual self-consumption: the share of its PV output an actor uses behind its own
meter, before anything reaches the collective operation (Code de l'énergie, L315-1;
``docs/ODD.md`` 7.4.1, step 1).

Hour by hour, actor ``i`` uses ``min(PV[h,i], D[h,i])`` of its output; over a period its
own-use share is ``sum_h min(PV, D) / sum_h PV``. The energy stage applies the same rule to
every owner each hour (:func:`commons_abm.energy.exchange.exchange_arrays`); this form runs
it on its own, without the community, for comparing a territory's households with the
published self-consumption of residential PV without storage (``Luthander2015``,
``Quoilin2016``; ``docs/validation.md``).
"""

from __future__ import annotations

import numpy as np

from commons_abm.core.calendar import day_of_step
from commons_abm.core.scenario import Scenario
from commons_abm.core.seeding import streams
from commons_abm.territory.build import build_state
from commons_abm.territory.demand import daily_demand
from commons_abm.territory.solar import hourly_yield_today

__all__ = ["own_use_share"]


def own_use_share(
    scenario: Scenario, seed: int, chosen_kind: int, kwp_range: tuple[float, float], days: int = 365
) -> float:
    """Share of their PV output that the actors of kind ``chosen_kind`` with an installed
    power in ``kwp_range`` [kWp] use themselves over ``days`` days of ``scenario``'s
    territory built from ``seed`` (NaN when they produce nothing)."""
    rngs = streams(seed)
    state = build_state(scenario, rngs)
    kwp = state.pv_kwp * state.pv_performance
    low, high = kwp_range
    chosen = (state.kind == chosen_kind) & (state.pv_kwp >= low) & (state.pv_kwp <= high)
    produced = used = 0.0
    energy = scenario.energy
    for step in range(days):
        day = day_of_step(step, energy.start_day_of_year, energy.start_weekday)
        demand = daily_demand(state, energy, day, rngs["demand"])[chosen]  # (actors, 24)
        pv = np.outer(kwp[chosen], hourly_yield_today(energy.pv, day, rngs["weather"]))
        produced += pv.sum()
        used += np.minimum(pv, demand).sum()
    return float(used / produced) if produced > 0 else float("nan")
