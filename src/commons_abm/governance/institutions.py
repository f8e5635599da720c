"""Institutions: a rulebook compiled into the numbers the mechanisms read.

:func:`compile_rulebook` turns the statements of a :class:`~commons_abm.governance.rulebook.Rulebook`
(Crawford & Ostrom 1995 grammar) into one :class:`Institutions` record: for each of
Ostrom's (1990) design principles the parameters of the mechanism that implements it, each
with a neutral default (a principle no statement implements is switched off: open access,
no meetings, nobody monitors or sanctions). The compiled stages read its tables as named
records (:class:`Binding`, :class:`MonitorTable`, :class:`SanctionTable`) with the codes
below.

Over 400 lines: the compiled record, whom its rules bind and the compiler that fills it are
one translation from the grammar to the mechanisms, read and extended together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np

from commons_abm.core.kernels import kernel
from commons_abm.core.kinds import DISCARDS_GOODS, MATERIAL_ROLE_OF
from commons_abm.core.state import State
from commons_abm.governance.rulebook import DAY_CLAUSES, OfficialsContext, Rulebook, Statement, WhenClause

__all__ = [
    "DUTY_MONITOR",
    "FLAT",
    "GRADUATED",
    "NO_SANCTION",
    "OFFICIAL_MONITOR",
    "OPERATOR_MONITOR",
    "PEER_MONITOR",
    "SANCTION_SCHEMES",
    "Binding",
    "binds",
    "bound_by_rules",
    "Institutions",
    "MonitorTable",
    "SanctionTable",
    "compile_rulebook",
    "compile_statements",
    "no_rules",
    "pv_fits",
]

# Codes of the compiled stages (Institutions.monitor_table, sanction_table): members who may
# watch (those who cooperate do), officials, the operator, members on duty (every member, by turns).
PEER_MONITOR, OFFICIAL_MONITOR, OPERATOR_MONITOR, DUTY_MONITOR = range(4)
NO_SANCTION, FLAT, GRADUATED = range(3)
SANCTION_SCHEMES = {"none": NO_SANCTION, "flat": FLAT, "graduated": GRADUATED}


class Binding(NamedTuple):
    """Whom the rules (or those backed by a sanction) bind, statement by statement, as the
    compiled stages take it (:meth:`Institutions.binding`)."""

    fee: bool  # the fee binds members
    overdraw: bool  # ... overdrawing does (attribute ``member``)
    everyone: bool  # overdrawing with attribute ``anyone`` binds everyone who may draw (open access)
    dumping: bool  # the dumping ban binds households
    dumping_members_only: bool  # ... member households only (attribute ``member``)
    fee_pv: int  # the fee binds only agents with PV (1), only those without (0), or any (-1) (``has_pv``)
    overdraw_pv: int  # ... the overdraw ban does


class MonitorTable(NamedTuple):
    """The monitors as arrays, one entry per monitor (:attr:`Institutions.monitor_table`)."""

    who: np.ndarray  # PEER_MONITOR, OFFICIAL_MONITOR, OPERATOR_MONITOR or DUTY_MONITOR (int64)
    detection_probability: np.ndarray  # chance that a check detects a breach [0-1]
    error_rate: np.ndarray  # chance that a check wrongly accuses a complier [0-1]
    cost_eur_per_check: np.ndarray  # cost of one check [EUR]


class SanctionTable(NamedTuple):
    """The sanction scheme as the compiled stages take it (:attr:`Institutions.sanction_table`)."""

    scheme: int  # NO_SANCTION, FLAT or GRADUATED
    ladder_eur: np.ndarray  # graduated fines by rung [EUR] (one 0 without a ladder)
    flat_fine_eur: float  # the flat fine [EUR]


@dataclass(frozen=True)
class Institutions:
    """A rulebook compiled into the numbers the stages use.

    Every field has a neutral value: the defaults describe a territory with no community
    rules at all (open access, no meetings, nobody monitors or sanctions).
    """

    name: str = "no rules"
    # P1 boundaries
    boundary: str = "open_access"
    # P2 congruence: appropriation and provision rules
    allocation_key: str = "pro_rata_consumption"
    overdraw_forbidden: bool = False
    overdraw_binds_anyone: bool = False  # attribute `anyone`: non-members drawing under open access too
    fee_eur_per_day: float = 0.0
    fee_suspended: bool = False  # the fee's statement is out of force today (its level is kept)
    dumping_forbidden: bool = False
    dumping_binds_members_only: bool = False  # attribute `member`: member households only
    byproduct_platform: bool = False  # the operator runs a by-product matching platform
    platform_discovery_per_day: float = 0.0
    platform_setup_cut: float = 0.0
    platform_transaction_cut: float = 0.0
    platform_cost_eur_per_day: float = 0.0
    hub_subsidy_eur_per_day: float = 0.0  # public money for the reuse-and-repair hub
    waste_scheme: str = "flat"  # how households pay for their waste: flat, per_kg or per_lift
    waste_fixed_eur_per_inhabitant_year: float = 93.0
    waste_eur_per_kg: float = 0.0
    waste_eur_per_lift: float = 3.0
    waste_kg_per_lift: float = 15.0
    waste_lifts_included: float = 12.0
    sanctioned: frozenset[str] = frozenset()  # aims whose breach triggers the sanction scheme
    # P3 collective choice
    meetings: bool = False
    meeting_every_days: int = 30
    quorum: float = 0.2
    meeting_cost_eur: float = 0.0
    # P4 monitoring: who -> (detection probability, error rate, cost per check)
    monitors: tuple[tuple[str, float, float, float], ...] = ()
    # P5 sanctions
    sanction_scheme: str = "none"  # none, flat or graduated
    fines_eur: tuple[float, ...] = ()
    flat_fine_eur: float = 0.0
    exclude_after: int = 0
    forgiveness_days: int = 90
    sanction_cost_eur: float = 0.0
    sanctioned_by: str = "member"  # the community (``member``) or the commune (``official``)
    # P6 conflict resolution
    mediation: bool = False
    mediation_access: float = 0.0
    mediation_success: float = 0.0
    mediation_cost_eur: float = 0.0
    mediator: str = "operator"  # who mediates: the operator, officials or fellow members
    # P7 recognition
    recognised: bool = False
    overrides_per_year: float = 0.0
    # P8 nested enterprises
    federated: bool = False
    # the community operator (facilitator)
    operator: bool = False
    operator_cost_eur_per_day: float = 0.0
    participation_cost_reduction: float = 0.0
    load_shift_share: float = 0.0
    # officials
    posture: str = "consultation"
    stance: str = "distant"
    electoral_cycle_days: int = 2190
    first_election_day: int = 1898
    posture_change_probability: float = 0.5
    staff_continuity: float = 0.7
    # when-clauses (has_pv: whom a rule binds; -1: any agent, 1: only with PV, 0: only without)
    fee_pv: int = -1
    overdraw_pv: int = -1
    statements: tuple[Statement, ...] = field(default=(), compare=False, repr=False)
    officials: OfficialsContext = field(default_factory=OfficialsContext, compare=False, repr=False)
    # the rules in force on days when only some statements are (governance.conditions), by statements in force
    in_force_cache: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    @property
    def principles(self) -> frozenset[int]:
        """The design principles some statement implements."""
        return frozenset(s.principle for s in self.statements)

    @cached_property
    def whens(self) -> tuple[WhenClause | None, ...]:
        """Each statement's when-clauses (None: it always applies)."""
        return tuple(s.when if s.conditions else None for s in self.statements)

    @cached_property
    def conditional(self) -> bool:
        """Whether some statement applies only on some days (a day clause:
        :mod:`commons_abm.governance.conditions`)."""
        return any(w is not None and any(getattr(w, c) is not None for c in DAY_CLAUSES) for w in self.whens)

    @property
    def fee_charged(self) -> bool:
        """Whether members owe a fee today."""
        return self.fee_eur_per_day > 0 and not self.fee_suspended

    @property
    def has_rules(self) -> bool:
        """Whether any behaviour of members or households is regulated."""
        return bool(self.overdraw_forbidden or self.fee_charged or self.dumping_forbidden)

    @property
    def monitored(self) -> bool:
        """Whether anybody monitors."""
        return bool(self.monitors)

    @cached_property
    def official_monitoring(self) -> bool:
        """Whether officials monitor top-down."""
        return any(who == "official" for who, *_ in self.monitors)

    @property
    def commune_sanctions(self) -> bool:
        """Whether officials impose the sanctions (fines go to the commune)."""
        return self.sanction_scheme != "none" and self.sanctioned_by == "official"

    @cached_property
    def external_control(self) -> bool:
        """Whether officials enforce the rules, by monitoring or sanctioning: control from
        outside the community, which crowds out where the rules lack legitimacy."""
        return self.official_monitoring or self.commune_sanctions

    # The same, as the compiled stages read it (computed once per rulebook).
    @cached_property
    def monitor_table(self) -> MonitorTable:
        """The monitors as arrays: who (:data:`PEER_MONITOR`, :data:`OFFICIAL_MONITOR`, :data:`OPERATOR_MONITOR`
        or :data:`DUTY_MONITOR`),
        detection probability, error rate and cost per check."""
        codes = {"peer": PEER_MONITOR, "peer_duty": DUTY_MONITOR, "official": OFFICIAL_MONITOR}
        return MonitorTable(
            who=np.array([codes.get(m[0], OPERATOR_MONITOR) for m in self.monitors], dtype=np.int64),
            detection_probability=np.array([m[1] for m in self.monitors], dtype=float),
            error_rate=np.array([m[2] for m in self.monitors], dtype=float),
            cost_eur_per_check=np.array([m[3] for m in self.monitors], dtype=float),
        )

    @cached_property
    def sanction_table(self) -> SanctionTable:
        """The sanction scheme (a code of :data:`SANCTION_SCHEMES`), the ladder of fines
        (one 0 without a ladder) and the flat fine."""
        return SanctionTable(
            scheme=SANCTION_SCHEMES[self.sanction_scheme],
            ladder_eur=np.asarray(self.fines_eur or (0.0,), dtype=float),
            flat_fine_eur=float(self.flat_fine_eur),
        )

    def binding(self, sanctioned_only: bool = False) -> Binding:
        """Whom the rules (or those backed by a sanction) bind, statement by statement:
        the fee and overdrawing (attribute ``member``) bind
        members; overdrawing with attribute ``anyone`` binds everyone who may draw
        (everyone under open access); the dumping ban binds households, or member
        households only (attribute ``member``): a :class:`Binding`."""
        return self._binding_sanctioned if sanctioned_only else self._binding_all

    @cached_property
    def _binding_all(self) -> Binding:
        return self._binding(None)

    @cached_property
    def _binding_sanctioned(self) -> Binding:
        return self._binding(self.sanctioned)

    def _binding(self, aims: frozenset[str] | None) -> Binding:
        def on(aim: str, present: bool) -> bool:
            return present and (aims is None or aim in aims)

        return Binding(
            fee=on("pay_fee", self.fee_charged),
            overdraw=on("overdraw", self.overdraw_forbidden),
            everyone=on("overdraw", self.overdraw_binds_anyone) and self.boundary == "open_access",
            dumping=on("dump_waste", self.dumping_forbidden),
            dumping_members_only=self.dumping_binds_members_only,
            fee_pv=self.fee_pv,
            overdraw_pv=self.overdraw_pv,
        )


@kernel
def pv_fits(wanted, has_pv):  # pragma: no cover - compiled
    """Whether an agent with (or without) PV is among those a ``has_pv`` clause names (-1: any)."""
    return wanted < 0 or (wanted == 1) == has_pv


@kernel
def binds(binding, member, kind, has_pv):  # pragma: no cover - compiled
    """Agents to whom a rule applies (``binding``: a :class:`Binding`), by their membership,
    kind's material role and PV: the whole-population form of who a statement's attribute
    (and ``has_pv`` clause) names."""
    n = member.size
    out = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        fee = binding.fee and member[i] and pv_fits(binding.fee_pv, has_pv[i])
        over = (binding.overdraw and member[i]) or binding.everyone
        over = over and pv_fits(binding.overdraw_pv, has_pv[i])
        out[i] = (
            fee
            or over
            or (
                binding.dumping
                and MATERIAL_ROLE_OF[kind[i]] == DISCARDS_GOODS
                and (member[i] or not binding.dumping_members_only)
            )
        )
    return out


def bound_by_rules(state: State, inst: Institutions, sanctioned_only: bool = False) -> np.ndarray:
    """Agents to whom at least one rule applies (or one backed by a sanction).

    Each statement binds the agents its attribute names: the fee, and overdrawing
    (attribute ``member``), bind members; overdrawing with attribute ``anyone`` binds
    everyone who may draw (everyone under open access); the dumping ban binds households
    (attribute ``household`` or ``anyone``: only households dump) or member households
    (attribute ``member``): :meth:`Institutions.binding`."""
    return binds(inst.binding(sanctioned_only), state.member, state.kind, state.pv_kwp > 0)


def no_rules(name: str = "no rules") -> Institutions:
    """No community rules: open access, nobody meets, monitors or sanctions."""
    return Institutions(name=name)


def compile_rulebook(book: Rulebook) -> Institutions:
    """The mechanism parameters a rulebook's statements set (a missing principle is off)."""
    return compile_statements(book.name, book.officials, tuple(book.statements))


def compile_statements(name: str, o: OfficialsContext, statements: tuple[Statement, ...]) -> Institutions:
    """The mechanism parameters ``statements`` set, with officials ``o`` (a rulebook's, or
    those of its statements in force on a day: :mod:`commons_abm.governance.conditions`)."""
    by_aim: dict[str, Statement] = {}
    monitors = []
    for s in statements:
        if s.aim == "monitor":
            p = s.params
            # members who *may* monitor watch as they choose (those who cooperate); members who *must*
            # take their turn whether they cooperate or not
            who = ("peer_duty" if s.deontic == "must" else "peer") if s.attribute == "member" else s.attribute
            monitors.append((who, p.detection_probability, p.error_rate, p.cost_eur_per_check))
        else:
            by_aim[s.aim] = s
    kw: dict[str, Any] = dict(
        name=name,
        officials=o,
        posture=o.posture,
        stance=o.stance,
        electoral_cycle_days=o.electoral_cycle_days,
        first_election_day=o.first_election_day,
        posture_change_probability=o.posture_change_probability,
        staff_continuity=o.staff_continuity,
        statements=statements,
        monitors=tuple(monitors),
        sanctioned=frozenset(s.aim for s in statements if s.or_else == "sanction"),
    )
    if (s := by_aim.get("draw_pool")) is not None and s.deontic == "must_not":
        kw["boundary"] = "members_only"
    if (s := by_aim.get("allocate_energy")) is not None:
        kw["allocation_key"] = s.params.key
    for aim, field_name in (("pay_fee", "fee_pv"), ("overdraw", "overdraw_pv")):
        if (s := by_aim.get(aim)) is not None and s.when.has_pv is not None:
            kw[field_name] = int(s.when.has_pv)
    kw["overdraw_forbidden"] = "overdraw" in by_aim
    kw["overdraw_binds_anyone"] = "overdraw" in by_aim and by_aim["overdraw"].attribute == "anyone"
    if (s := by_aim.get("pay_fee")) is not None:
        kw["fee_eur_per_day"] = s.params.eur_per_month * 12.0 / 365.0
    kw["dumping_forbidden"] = "dump_waste" in by_aim
    kw["dumping_binds_members_only"] = "dump_waste" in by_aim and by_aim["dump_waste"].attribute == "member"
    if (s := by_aim.get("match_byproducts")) is not None:
        p = s.params
        kw.update(
            byproduct_platform=True,
            platform_discovery_per_day=p.discovery_per_day,
            platform_setup_cut=p.setup_cost_cut,
            platform_transaction_cut=p.transaction_cost_cut,
            platform_cost_eur_per_day=p.cost_eur_per_day,
        )
    if (s := by_aim.get("fund_hub")) is not None:
        kw["hub_subsidy_eur_per_day"] = s.params.subsidy_eur_per_day
    if (s := by_aim.get("charge_waste")) is not None:
        p = s.params
        kw.update(
            waste_scheme=p.scheme,
            waste_fixed_eur_per_inhabitant_year=p.fixed_eur_per_inhabitant_year,
            waste_eur_per_kg=p.eur_per_kg,
            waste_eur_per_lift=p.eur_per_lift,
            waste_kg_per_lift=p.kg_per_lift,
            waste_lifts_included=p.lifts_included,
        )
    if (s := by_aim.get("vote_rules")) is not None:
        p = s.params
        kw.update(
            meetings=True, meeting_every_days=p.every_days, quorum=p.quorum, meeting_cost_eur=p.cost_eur_per_meeting
        )
    if (s := by_aim.get("sanction")) is not None:
        p = s.params
        kw.update(
            sanction_scheme=p.scheme,
            fines_eur=tuple(p.fines_eur),
            flat_fine_eur=p.flat_fine_eur,
            exclude_after=p.exclude_after,
            forgiveness_days=p.forgiveness_days,
            sanction_cost_eur=p.cost_eur_per_sanction,
            sanctioned_by=s.attribute,
        )
    if (s := by_aim.get("mediate")) is not None:
        p = s.params
        kw.update(
            mediation=True,
            mediation_access=p.access_probability,
            mediation_success=p.success_rate,
            mediation_cost_eur=p.cost_eur_per_case,
            mediator=s.attribute,
        )
    kw["recognised"] = "recognise_rules" in by_aim
    if (s := by_aim.get("override_rules")) is not None:
        kw["overrides_per_year"] = s.params.probability_per_year
    kw["federated"] = "federate" in by_aim
    if (s := by_aim.get("facilitate")) is not None:
        p = s.params
        kw.update(
            operator=True,
            operator_cost_eur_per_day=p.cost_eur_per_day,
            participation_cost_reduction=p.participation_cost_reduction,
            load_shift_share=p.load_shift_share,
        )
    return Institutions(**kw)
