"""The indicators recorded at every step: one row of ``model.timeseries()`` per step.

``COLUMNS`` maps each column to its unit and definition; ``docs/indicators.md`` is
generated from it. Flow indicators are for the day simulated at the step; state
indicators (trust, satisfaction, membership) are read at the end of the step.
"""

from __future__ import annotations

import numpy as np

from commons_abm.core.kernels import kernel

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "compliance_rate",
    "followed_rules",
    "gini",
    "gini_of",
    "gini_of_sorted",
    "participation_gini",
    "ratio",
    "self_consumption",
    "self_sufficiency",
    "sorted_along",
    "state_indicators",
]

# name: (unit, definition)
COLUMNS: dict[str, tuple[str, str]] = {
    "step": ("day", "Index of the simulated day, from 0."),
    "day_of_year": ("day", "Calendar day (1-365) simulated at the step."),
    "members_share": ("0-1", "Share of all agents that are members of the energy community."),
    "attendance_rate": (
        "0-1",
        "Share of members who attended the latest collective-choice "
        "meeting (carried forward between meetings); 0 before the first or "
        "when members never meet.",
    ),
    "compliance_rate": (
        "0-1",
        "Share of the agents bound by a community rule at this step who "
        "followed it; when no rule binds anyone (open access), the share who "
        "behaved as the community's norms ask (cooperated).",
    ),
    "trust_interpersonal": ("0-1", "Mean trust over all directed ties; NaN in a territory without ties."),
    "trust_institutional": (
        "0-1",
        "Mean of each agent's trust in the rules, operator and officials, members and "
        "non-members together (see member_ and non_member_trust_institutional).",
    ),
    "satisfaction": ("0-1", "Mean satisfaction of members (of all agents when there are none)."),
    "energy_self_sufficiency": (
        "0-1",
        "Share of the territory's electricity demand met by local production, physically: "
        "1 - (the territory's hourly net draw from the grid, summed) / consumption; NaN without demand.",
    ),
    "energy_self_consumption": (
        "0-1",
        "Share of local production used locally, physically: 1 - (the territory's hourly "
        "net injection into the grid, summed) / production; NaN when nothing is produced.",
    ),
    "community_self_sufficiency": (
        "0-1",
        "Share of the participants' demand met by their own PV, the operation's allocation "
        "and the community battery, hour by hour; NaN without participants' demand.",
    ),
    "community_self_consumption": (
        "0-1",
        "Share of the member producers' PV output used by themselves, allocated to "
        "participants or stored in the community battery, hour by hour; NaN when they produce nothing.",
    ),
    "material_circularity": (
        "0-1",
        "Circular material use rate in Eurostat's spirit (cei_srm030): material "
        "returned to use (reuse, repair, recycling, composting, by-product exchange) over "
        "that plus virgin material consumed. Its scope is the territory's households and "
        "firms together, and firms' virgin input dominates it; Eurostat's national rate "
        "covers every material of an economy, so the two are not comparable. Read "
        "household_waste_recovery_rate and byproduct_exchange_rate for each group.",
    ),
    "household_waste_recovery_rate": (
        "0-1",
        "Household waste reused, repaired, recycled or composted (the hub's outputs, failed "
        "repairs recycled, sorted recyclables, composted food waste) over household waste "
        "generated at the step: the French 'valorisation matière et organique' of household "
        "waste (Insee 2025: near half in 2021).",
    ),
    "byproduct_exchange_rate": (
        "0-1",
        "Firms' by-products used by other firms over by-products generated at the step.",
    ),
    "landfill_kg": ("kg/day", "Waste landfilled at the step."),
    "dumping_kg": ("kg/day", "Waste dumped illegally in the street at the step (cleaned up by the commune)."),
    "displaced_waste_kg": (
        "kg/day",
        "Bagged waste households dumped in neighbours' chipped bins at the step; it is "
        "collected with the neighbour's waste (in recovery and landfill) and billed to the neighbour.",
    ),
    "composting_kg": ("kg/day", "Food and kitchen waste composted by households."),
    "sorted_kg": ("kg/day", "Recyclables households sorted (separate collection and the recycling centre)."),
    "byproduct_matches": (
        "count",
        "Firms' by-product matches in force at the end of the step (commons_abm.materials.byproduct_matches).",
    ),
    "hub_volunteers": ("count", "Households volunteering at the reuse-and-repair hub at the end of the step."),
    "hub_volunteer_hours": ("h/day", "Hours volunteers gave the hub at the step (unpaid: a non-monetary resource)."),
    "hub_staff_hours": ("h/day", "Staff hours the hub paid at the step."),
    "hub_open_hours": ("h/day", "Hours the hub was open at the step."),
    "hub_account_eur": ("EUR", "The hub's own account at the end of the step."),
    "sanctions": ("count/day", "Sanctions imposed at the step."),
    "governance_cost": ("EUR/day", "Cost of monitoring, sanctioning, meetings and the operator at the step."),
    "gini_net_benefit": (
        "0-1",
        "Gini coefficient of households' cumulative net benefit (saving against "
        "acting alone, fees and fines), normalised for negative values (Raffinetti, Siletti & "
        "Vernizzi 2015): fairness among households; firms' gains from by-product exchange "
        "are not in it.",
    ),
    "energy_balance_residual_kwh": (
        "kWh/day",
        "production + import - (consumption + export + battery change + losses); zero up to rounding.",
    ),
    "material_balance_residual_kg": (
        "kg/day",
        "inputs - (reuse + repair + recycling + composting + recovery + "
        "landfill + dumping + hub stock change); zero up to rounding.",
    ),
    "cooperation_rate": (
        "0-1",
        "Share of all agents who cooperated at the step (followed the "
        "energy and fee rules, paid fees: commons_abm.behaviour.decisions); households' "
        "waste decisions are their own (commons_abm.behaviour.waste_choices).",
    ),
    "expected_cooperation": ("0-1", "Mean of agents' expectation of others' cooperation."),
    "member_trust_institutional": ("0-1", "Mean institutional trust of members; NaN without members."),
    "non_member_trust_institutional": (
        "0-1",
        "Mean institutional trust of agents that are not members; NaN when every agent is one.",
    ),
    "participation_gini": (
        "0-1",
        "Gini coefficient of members' attendance ratios (meetings attended "
        "over meetings held while a member): inequality of participation.",
    ),
    "wrongful_sanctions": ("count/day", "Sanctions of compliant agents that stand after mediation."),
    "fines_eur": ("EUR/day", "Fines paid at the step (after refunds by mediation)."),
    "production_kwh": ("kWh/day", "Rooftop PV production."),
    "consumption_kwh": ("kWh/day", "Electricity demand (all of it is met)."),
    "self_consumed_kwh": ("kWh/day", "Production used on site by its producer."),
    "pool_kwh": ("kWh/day", "Member producers' surplus allocated by the key to participants directly."),
    "battery_charge_kwh": ("kWh/day", "Energy the community battery took from the operation's unallocated surplus."),
    "battery_discharge_kwh": ("kWh/day", "Energy delivered by the community battery."),
    "import_kwh": ("kWh/day", "Electricity bought from suppliers, as metered and billed agent by agent."),
    "export_kwh": ("kWh/day", "Electricity sold to the grid, as metered and paid agent by agent."),
    "battery_soc_kwh": ("kWh", "Energy stored in the shared battery at the end of the step."),
    "material_inputs_kg": ("kg/day", "Household end-of-life goods and firms' by-products generated."),
    "reuse_kg": ("kg/day", "Goods reused through the hub plus by-products exchanged between firms."),
    "repair_kg": ("kg/day", "Goods repaired by the hub and back in use."),
    "recycling_kg": ("kg/day", "Material recycled."),
    "recovery_kg": ("kg/day", "Waste incinerated with energy recovery."),
    "symbiosis_kg": ("kg/day", "By-products taken by firms instead of virgin material."),
    "hub_stock_kg": ("kg", "Goods held by the reuse-and-repair hub at the end of the step."),
    "community_account_eur": ("EUR", "Balance of the community's account at the end of the step."),
    "bill_saving_eur_per_participant": (
        "EUR/day",
        "Mean over the operation's participants and member producers of their energy bill alone "
        "minus their energy bill in the operation (fees and fines apart); NaN without participants.",
    ),
}

REQUIRED_COLUMNS = (
    "step",
    "members_share",
    "attendance_rate",
    "compliance_rate",
    "trust_interpersonal",
    "trust_institutional",
    "satisfaction",
    "energy_self_sufficiency",
    "energy_self_consumption",
    "material_circularity",
    "landfill_kg",
    "dumping_kg",
    "sanctions",
    "governance_cost",
    "gini_net_benefit",
    "energy_balance_residual_kwh",
    "material_balance_residual_kg",
)


@kernel
def ratio(numerator, denominator):  # pragma: no cover - compiled
    """``numerator / denominator``, NaN when the denominator is not positive."""
    return numerator / denominator if denominator > 0 else np.nan


@kernel
def self_sufficiency(consumption, imports):  # pragma: no cover - compiled
    """Share of the territory's demand met without imports [0-1] (NaN without demand)."""
    return ratio(consumption - imports, consumption)


@kernel
def self_consumption(production, exports):  # pragma: no cover - compiled
    """Share of the territory's production used inside it [0-1] (NaN without production)."""
    return ratio(production - exports, production)


@kernel
def followed_rules(cooperated, bound, breach):  # pragma: no cover - compiled
    """Whether each agent followed the rules today: those bound by a rule, that they broke
    none; the others, that they cooperated (the community's norms)."""
    out = np.empty(cooperated.size, dtype=np.bool_)
    for i in range(cooperated.size):
        out[i] = not breach[i] if bound[i] else cooperated[i]
    return out


@kernel
def compliance_rate(cooperated, bound):  # pragma: no cover - compiled
    """Share of the agents bound by a rule who followed it; with no rule binding anyone,
    the share who behaved as the community's norms ask (cooperated); 1 without agents."""
    if bound.any():
        return cooperated[bound].mean()
    return cooperated.mean() if cooperated.size else 1.0


def gini(values: np.ndarray) -> float:
    """Gini coefficient, defined for negative values too.

    Mean absolute difference over twice the mean absolute value (Raffinetti, Siletti &
    Vernizzi 2015): equal to the usual Gini for non-negative values, within [0, 1]
    always, 0 when all values are equal (including all zero).
    """
    return float(gini_of(np.asarray(values, dtype=float).ravel()))


@kernel
def gini_of(values):  # pragma: no cover - compiled
    """:func:`gini` of a one-dimensional array."""
    return gini_of_sorted(np.sort(values))


@kernel
def gini_of_sorted(x):  # pragma: no cover - compiled
    """:func:`gini` of values sorted in increasing order."""
    n = x.size
    scale = 0.0
    for v in x:
        scale += abs(v)
    if n == 0 or scale == 0:
        return 0.0
    total = 0.0  # sum over i, j of |x_i - x_j|, halved
    for i in range(n):
        total += (2 * (i + 1) - n - 1) * x[i]
    # rounding can leave a tiny negative sum when all values are equal
    return min(max(2.0 * total / (2.0 * n * scale), 0.0), 1.0)


@kernel
def sorted_along(order, values):  # pragma: no cover - compiled
    """``values[order]`` in increasing order, with ``order`` (indices into ``values``: all of
    them or a subset, changed in place) sorting them: insertion sort from the previous order, nearly linear when the
    values moved little since (cumulative benefits from one day to the next); a full sort
    when they moved much (early in a run), so never quadratic."""
    n = order.size
    budget = 16 * n  # moves allowed before a full sort is cheaper
    for i in range(1, n):
        moving = order[i]
        key = values[moving]
        j = i - 1
        while j >= 0 and values[order[j]] > key:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = moving
        budget -= i - 1 - j
        if budget < 0:
            order[:] = order[np.argsort(values[order])]
            break
    return values[order]


@kernel
def participation_gini(meetings_attended, meetings_eligible):  # pragma: no cover - compiled
    """Gini of members' attendance ratios (meetings attended over meetings held while a
    member), 0 before any meeting."""
    eligible = meetings_eligible > 0
    ratios = meetings_attended[eligible] / meetings_eligible[eligible]
    return gini_of(ratios) if ratios.size else 0.0


@kernel
def state_indicators(
    member, satisfaction, tie_trust, trust_institutional, cooperated, belief, fines
):  # pragma: no cover - compiled
    """The indicators read off the agents' state at the end of a step (:data:`COLUMNS`):
    members_share, trust_interpersonal, trust_institutional, satisfaction,
    cooperation_rate, expected_cooperation, member_trust_institutional, fines_eur and
    non_member_trust_institutional (the two Gini coefficients: :func:`gini_of`,
    :func:`participation_gini`)."""
    n = member.size
    members = 0
    member_satisfaction = 0.0
    member_trust = 0.0
    other_trust = 0.0
    for i in range(n):
        if member[i]:
            members += 1
            member_satisfaction += satisfaction[i]
            member_trust += trust_institutional[i]
        else:
            other_trust += trust_institutional[i]
    return (
        members / n if n else 0.0,
        tie_trust.mean() if tie_trust.size else np.nan,
        trust_institutional.mean(),
        member_satisfaction / members if members else satisfaction.mean(),
        cooperated.sum() / n if n else 0.0,
        belief.mean() if n else 0.0,
        member_trust / members if members else np.nan,
        fines.sum(),
        other_trust / (n - members) if n > members else np.nan,
    )
