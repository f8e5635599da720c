"""The model's state: every agent attribute as one numpy array, indexed by agent.

Agents are numbered ``0 .. n-1``: households first, then firms, then officials (each
official stands for one public building). Mesa agents are thin views over these arrays
(:mod:`commons_abm.agents`); the stages (:mod:`commons_abm.energy.exchange`,
:mod:`commons_abm.materials.routing`, ...) read and write them for the whole population at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from commons_abm.core.kinds import default_profile

__all__ = ["AFFECTIVE", "FUNCTIONAL", "GEOGRAPHIC", "INSTITUTIONAL", "PROXIMITY_NAMES", "Ties", "Commons", "State"]

# Proximity flags of a tie (000_027160d2fbf9a985.txt: institutional, geographic, functional, affective).
GEOGRAPHIC, INSTITUTIONAL, FUNCTIONAL, AFFECTIVE = 1, 2, 4, 8
PROXIMITY_NAMES = {
    GEOGRAPHIC: "geographic",
    INSTITUTIONAL: "institutional",
    FUNCTIONAL: "functional",
    AFFECTIVE: "affective",
}


@dataclass
class Ties:
    """The social network as arrays.

    Undirected ties are ``(u[k], v[k])`` with ``u < v``; ``proximity[k]`` holds the
    proximity flags. The compressed-sparse-row view (``indptr``, ``indices``) lists each
    agent's neighbours; ``trust[j]`` is the trust that agent ``i`` places in neighbour
    ``indices[j]`` for ``indptr[i] <= j < indptr[i+1]`` (trust is directed).
    """

    n: int
    u: np.ndarray
    v: np.ndarray
    proximity: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    trust: np.ndarray

    @classmethod
    def from_edges(
        cls,
        n: int,
        u: np.ndarray,
        v: np.ndarray,
        proximity: np.ndarray | None = None,
        initial_trust: float = 0.5,
    ) -> Ties:
        """Build from an undirected edge list (self-loops and duplicates removed)."""
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        keep = lo != hi
        key = np.unique(lo[keep] * n + hi[keep])
        lo, hi = (key // n).astype(np.int32), (key % n).astype(np.int32)
        if proximity is None:
            proximity = np.zeros(lo.size, dtype=np.uint8)
        src = np.concatenate([lo, hi])
        dst = np.concatenate([hi, lo])
        order = np.lexsort((dst, src))
        indices = dst[order].astype(np.int32)
        counts = np.bincount(src, minlength=n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        trust = np.full(indices.size, float(initial_trust))
        return cls(n, lo, hi, np.asarray(proximity, dtype=np.uint8), indptr, indices, trust)

    @property
    def n_ties(self) -> int:
        """Number of undirected ties."""
        return int(self.u.size)

    def degree(self) -> np.ndarray:
        """Number of ties of each agent."""
        return np.diff(self.indptr)

    def neighbours(self, i: int) -> np.ndarray:
        """Indices of agent ``i``'s neighbours."""
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def owner(self) -> np.ndarray:
        """For each CSR entry, the agent it belongs to (the one who trusts)."""
        return np.repeat(np.arange(self.n, dtype=np.intp), self.degree())

    @cached_property
    def owners(self) -> np.ndarray:
        """:meth:`owner`, computed once (the network does not change during a run)."""
        return self.owner()

    @cached_property
    def slot_tie(self) -> np.ndarray:
        """For each CSR entry, the index of its undirected tie in ``u``, ``v`` (computed once)."""
        if not self.u.size:
            return np.zeros(self.indices.size, dtype=np.intp)
        keys = self.u.astype(np.int64) * self.n + self.v.astype(np.int64)
        order = np.argsort(keys)
        owners, other = self.owners.astype(np.int64), self.indices.astype(np.int64)
        wanted = np.minimum(owners, other) * self.n + np.maximum(owners, other)
        return order[np.searchsorted(keys[order], wanted)]

    @cached_property
    def slot_proximity(self) -> np.ndarray:
        """For each CSR entry, the proximity flags of its tie (computed once)."""
        if not self.u.size:
            return np.zeros(self.indices.size, dtype=np.uint8)
        return self.proximity[self.slot_tie]

    def tie_trust(self) -> np.ndarray:
        """Each undirected tie's trust: the mean of its two directions [0-1]."""
        total = np.bincount(self.slot_tie, weights=self.trust, minlength=self.u.size)
        return total / np.maximum(np.bincount(self.slot_tie, minlength=self.u.size), 1)

    @cached_property
    def _by_proximity(self) -> dict[tuple[str, int], np.ndarray]:
        return {}  # the network does not change during a run: each mask is computed once

    def carries(self, flag: int) -> np.ndarray:
        """For each CSR entry, whether its tie carries the proximity ``flag`` (e.g. :data:`AFFECTIVE`)."""
        key = ("tie", int(flag))
        if key not in self._by_proximity:
            self._by_proximity[key] = (self.slot_proximity & flag) != 0
        return self._by_proximity[key]

    def linked_by(self, flag: int) -> np.ndarray:
        """For each agent, whether one of its ties carries the proximity ``flag``."""
        key = ("agent", int(flag))
        if key not in self._by_proximity:
            self._by_proximity[key] = self.sum_over_ties(self.carries(flag).astype(float)) > 0
        return self._by_proximity[key]

    def sum_over_ties(self, values: np.ndarray) -> np.ndarray:
        """For each agent, the sum of ``values`` (one per CSR entry) over its ties."""
        return np.bincount(self.owners, weights=values, minlength=self.n)


@dataclass
class Commons:
    """Shared facilities: the battery, the reuse-and-repair hub, the community account."""

    battery_soc_kwh: float = 0.0
    hub_reusable_kg: float = 0.0
    hub_repairable_kg: float = 0.0
    community_account_eur: float = 0.0
    hub_account_eur: float = 0.0  # the hub's own account [EUR] (materials.hub_organisation)
    hub_volunteer_hours: float = 0.0  # hours volunteers gave the hub on the latest day [h]
    hub_staff_hours: float = 0.0  # staff hours the hub paid on the latest day [h]
    hub_open_hours: float = 0.0  # hours the hub was open on the latest day [h]


@dataclass
class Matches:
    """Firms' candidate by-product matches, one entry per (seller, buyer) pair whose
    by-product and input are of the same kind (:mod:`commons_abm.materials.byproduct_matches`)."""

    seller: np.ndarray  # int64: the firm that gives its by-product
    buyer: np.ndarray  # int64: the firm that uses it as input
    tied: np.ndarray  # bool: the two firms are tied in the social network
    active: np.ndarray  # bool: the match is in force
    trust: np.ndarray  # float: the two firms' trust in the match [0-1]

    @classmethod
    def empty(cls) -> Matches:
        """No candidate match."""
        none = np.empty(0, dtype=np.int64)
        return cls(none, none.copy(), np.empty(0, bool), np.empty(0, bool), np.empty(0))

    @property
    def count(self) -> int:
        """Number of active matches."""
        return int(self.active.sum())


@dataclass
class State:
    """All agent state of a model, one array entry per agent."""

    kind: np.ndarray  # int8: the agent's kind, a row of commons_abm.core.kinds.KINDS
    neighbourhood: np.ndarray  # int32: neighbourhood index (all in one commune)
    persons: np.ndarray  # float: persons in the household (0 for firms, buildings)
    energy_poor: np.ndarray  # bool: household in energy poverty
    annual_demand_kwh: np.ndarray  # float: mean electricity demand [kWh/yr]
    pv_kwp: np.ndarray  # float: installed PV [kWp]
    pv_performance: np.ndarray  # float: orientation and shading factor [-]
    member: np.ndarray  # bool: member of the energy community
    battery_received_kwh: np.ndarray  # float: energy the community battery gave the agent on the latest day [kWh]
    contributed_kwh: np.ndarray  # float: energy offered to the pool since the start [kWh]
    waste_kg_per_day: np.ndarray  # float: mean end-of-life goods discarded [kg/day]
    input_kg_per_day: np.ndarray  # float: mean material input (firms) [kg/day]
    byproduct_kg_per_day: np.ndarray  # float: mean by-product (firms) [kg/day]
    input_type: np.ndarray  # int16: kind of material a firm uses (-1: none)
    byproduct_type: np.ndarray  # int16: kind of material a firm gives off (-1: none)
    trust_institutional: np.ndarray  # float: trust in rules, operator, officials [0-1]
    satisfaction: np.ndarray  # float: benefit in return for commitments [0-1]
    position: np.ndarray  # float (n, 2): location in the unit square
    ties: Ties
    commons: Commons = field(default_factory=Commons)
    matches: Matches | None = None  # firms' by-product matches, built on the first day (materials.byproduct_matches)
    # Load profiles (commons_abm.territory.demand): each agent's column of the demand tables,
    # the named profiles (core.kinds.LOAD_PROFILES) first, then the metered loads; default: its kind's own.
    load_profile: np.ndarray = field(default=None)  # type: ignore[assignment]  # int32
    metered_load: np.ndarray | None = None  # (365, 24, metered): kWh per hour per kWh/day of mean demand
    # Accounts, rewritten every step [EUR/day] and accumulated [EUR].
    energy_cost_eur: np.ndarray = field(default=None)  # type: ignore[assignment]
    material_cost_eur: np.ndarray = field(default=None)  # type: ignore[assignment]
    net_benefit_eur: np.ndarray = field(default=None)  # type: ignore[assignment]
    cumulative_net_benefit_eur: np.ndarray = field(default=None)  # type: ignore[assignment]
    # Motives (commons_abm.behaviour.motives), fixed for a run.
    svo: np.ndarray = field(default=None)  # type: ignore[assignment]  # int8: SVO_TYPES index
    group_weight: np.ndarray = field(default=None)  # type: ignore[assignment]  # float: weight on group payoff
    cc_type: np.ndarray = field(default=None)  # type: ignore[assignment]  # int8: CC_TYPES index
    # Decisions (commons_abm.behaviour.decisions).
    belief: np.ndarray = field(default=None)  # type: ignore[assignment]  # expected cooperation of others [0-1]
    propensity: np.ndarray = field(default=None)  # type: ignore[assignment]  # probability of cooperating today [0-1]
    cooperated: np.ndarray = field(default=None)  # type: ignore[assignment]  # bool: kept to its share today
    goodwill_share: np.ndarray = field(default=None)  # type: ignore[assignment]  # share of propensity without deterrence [0-1]
    # Satisfaction, short and long run (commons_abm.behaviour.satisfaction) [0-1].
    satisfaction_short: np.ndarray = field(default=None)  # type: ignore[assignment]
    satisfaction_long: np.ndarray = field(default=None)  # type: ignore[assignment]
    # Participation (commons_abm.governance.collective_choice, commons_abm.behaviour.membership).
    attended_last: np.ndarray = field(default=None)  # type: ignore[assignment]  # bool
    meetings_attended: np.ndarray = field(default=None)  # type: ignore[assignment]  # count
    meetings_eligible: np.ndarray = field(default=None)  # type: ignore[assignment]  # count
    excluded_until: np.ndarray = field(default=None)  # type: ignore[assignment]  # step until which re-joining is barred
    # Sanctions (commons_abm.governance.sanctions).
    offence_level: np.ndarray = field(default=None)  # type: ignore[assignment]  # int: rung of the ladder
    clean_days: np.ndarray = field(default=None)  # type: ignore[assignment]  # days since the last offence
    fines_eur: np.ndarray = field(default=None)  # type: ignore[assignment]  # fines paid today [EUR]
    fees_eur: np.ndarray = field(default=None)  # type: ignore[assignment]  # fees paid today [EUR]
    governance_cost_eur: np.ndarray = field(default=None)  # type: ignore[assignment]  # own cost of governing today [EUR]
    # Money since day 0 [EUR] (commons_abm.governance.accounts.tally_arrays): bill, bill alone, fees, fines.
    bill_total_eur: np.ndarray = field(default=None)  # type: ignore[assignment]  # energy bill (in the community when a member)
    alone_total_eur: np.ndarray = field(default=None)  # type: ignore[assignment]  # energy bill had it acted alone
    fees_total_eur: np.ndarray = field(default=None)  # type: ignore[assignment]  # fees paid
    fines_total_eur: np.ndarray = field(default=None)  # type: ignore[assignment]  # fines paid (after refunds by mediation)
    # The hub's volunteers (commons_abm.materials.hub_organisation).
    volunteer: np.ndarray = field(default=None)  # type: ignore[assignment]  # bool: volunteers at the hub
    volunteer_stamina: np.ndarray = field(default=None)  # type: ignore[assignment]  # [0-1]

    _FLOAT_ZEROS = (
        "energy_cost_eur",
        "material_cost_eur",
        "net_benefit_eur",
        "cumulative_net_benefit_eur",
        "group_weight",
        "propensity",
        "fines_eur",
        "fees_eur",
        "governance_cost_eur",
        "bill_total_eur",
        "alone_total_eur",
        "fees_total_eur",
        "fines_total_eur",
    )

    def __post_init__(self) -> None:
        n = self.n
        for name in self._FLOAT_ZEROS:
            if getattr(self, name) is None:
                setattr(self, name, np.zeros(n))
        for name, dtype in (
            ("svo", np.int8),
            ("cc_type", np.int8),
            ("meetings_attended", np.int32),
            ("meetings_eligible", np.int32),
            ("excluded_until", np.int64),
            ("offence_level", np.int16),
            ("clean_days", np.int32),
        ):
            if getattr(self, name) is None:
                setattr(self, name, np.zeros(n, dtype=dtype))
        if self.load_profile is None:
            self.load_profile = default_profile(self.kind)
        if self.volunteer_stamina is None:
            self.volunteer_stamina = np.ones(n)
        if self.goodwill_share is None:
            self.goodwill_share = np.ones(n)
        for name in ("cooperated", "attended_last", "volunteer"):
            if getattr(self, name) is None:
                setattr(self, name, np.zeros(n, dtype=bool))
        if self.belief is None:
            self.belief = np.full(n, 0.5)
        for name in ("satisfaction_short", "satisfaction_long"):
            if getattr(self, name) is None:
                setattr(self, name, self.satisfaction.astype(float, copy=True))

    @property
    def n(self) -> int:
        """Number of agents."""
        return int(self.kind.size)

    def of_kind(self, kind: int) -> np.ndarray:
        """Boolean mask of the agents of one kind."""
        return self.kind == kind
