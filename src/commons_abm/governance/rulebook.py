"""Rulebooks: community rules as data, in Crawford & Ostrom's ADICO grammar.

A rulebook is a TOML file of institutional statements (Crawford & Ostrom 1995, "A
grammar of institutions", APSR 89(3)): each has an **A**ttribute (to whom it applies),
a **D**eontic (``must``, ``must_not``, ``may``), an a**I**m (an action from the finite
vocabulary :data:`AIMS`), **C**onditions (when it applies, and the mechanism's
parameters) and an **O**r-else (``"sanction"``: breaking it triggers the rulebook's
sanction scheme). Each statement is tagged with the Ostrom (1990) design principle it
implements. Officials' posture and stance (``000_027160d2fbf9a985.txt``) are the rulebook's
``[officials]`` table.

:func:`load_rulebook` validates a file; :func:`compile_rulebook` turns the statements
into the numbers the stages use (:class:`Institutions`). A principle no statement
implements is switched off. ``docs/rulebooks.md`` lists the vocabulary.

Example::

    name = "members only, sanctioned sharing"
    [[statements]]
    id = "boundary"
    principle = "boundaries"
    attribute = "non_member"
    deontic = "must_not"
    aim = "draw_pool"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from commons_abm.core.errors import describe_validation_error
from commons_abm.core.tomlfile import read_toml, validated

__all__ = [
    "AIMS",
    "ATTRIBUTES",
    "PRINCIPLES",
    "POSTURES",
    "POSTURE_VOICE",
    "STANCES",
    "Aim",
    "Binding",
    "Institutions",
    "MonitorTable",
    "Rulebook",
    "SanctionTable",
    "Statement",
    "compile_rulebook",
    "load_rulebook",
    "no_rules",
]

# Ostrom (1990, ch. 3, table 3.1): the eight design principles of long-enduring CPR institutions.
PRINCIPLES: dict[str, int] = {
    "boundaries": 1,
    "congruence": 2,
    "collective_choice": 3,
    "monitoring": 4,
    "graduated_sanctions": 5,
    "conflict_resolution": 6,
    "recognition": 7,
    "nested_enterprises": 8,
}
PRINCIPLE_NAMES = {number: name for name, number in PRINCIPLES.items()}

# The participation ladder of 000_027160d2fbf9a985.txt (Territoire E+C-), from officials deciding
# alone to shared governance.
POSTURES = ("authority", "consultation", "participation", "collaboration", "shared_governance")
# Members' share in deciding the rules, by rung of the participation ladder (000_027160d2fbf9a985.txt).
POSTURE_VOICE = {
    "authority": 0.0,
    "consultation": 0.25,
    "participation": 0.5,
    "collaboration": 0.75,
    "shared_governance": 1.0,
}
# 003_d0cbea24b0b91578.txt (Labo de l'ESS): "soutenir sans étouffer"; officials as ally, distant or
# controller.
STANCES = ("ally", "distant", "controller")

# Codes of the compiled stages (Institutions.monitor_table, sanction_table).
PEER_MONITOR, OFFICIAL_MONITOR, OPERATOR_MONITOR = range(3)
NO_SANCTION, FLAT, GRADUATED = range(3)
SANCTION_SCHEMES = {"none": NO_SANCTION, "flat": FLAT, "graduated": GRADUATED}


class Binding(NamedTuple):
    """Whom the rules (or those backed by a sanction) bind, statement by statement, as the
    compiled stages take it (:meth:`Institutions.binding`)."""

    sharing: bool  # sharing binds members with PV
    members: bool  # the fee, or overdrawing (attribute ``member``), binds members
    everyone: bool  # overdrawing with attribute ``anyone`` binds everyone who may draw (open access)
    dumping: bool  # the dumping ban binds households
    dumping_members_only: bool  # ... member households only (attribute ``member``)


class MonitorTable(NamedTuple):
    """The monitors as arrays, one entry per monitor (:attr:`Institutions.monitor_table`)."""

    who: np.ndarray  # PEER_MONITOR, OFFICIAL_MONITOR or OPERATOR_MONITOR (int64)
    detection_probability: np.ndarray  # chance that a check detects a breach [0-1]
    error_rate: np.ndarray  # chance that a check wrongly accuses a complier [0-1]
    cost_eur_per_check: np.ndarray  # cost of one check [EUR]


class SanctionTable(NamedTuple):
    """The sanction scheme as the compiled stages take it (:attr:`Institutions.sanction_table`)."""

    scheme: int  # NO_SANCTION, FLAT or GRADUATED
    ladder_eur: np.ndarray  # graduated fines by rung [EUR] (one 0 without a ladder)
    flat_fine_eur: float  # the flat fine [EUR]


ATTRIBUTES = ("anyone", "member", "non_member", "household", "firm", "official", "operator", "community")
Deontic = Literal["must", "must_not", "may"]


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoParams(_Params):
    """No parameters."""


class AllocateParams(_Params):
    key: Literal["equal", "pro_rata_consumption", "pro_rata_contribution", "needs_first"] = Field(
        "pro_rata_contribution", description="Allocation key of pooled energy."
    )


class ShareParams(_Params):
    min_share: float = Field(0.8, ge=0, le=1, description="Share of surplus a member must offer [0-1].")


class FeeParams(_Params):
    eur_per_month: float = Field(3.0, ge=0, le=1000, description="Membership fee [EUR/month].")


class MeetingParams(_Params):
    every_days: int = Field(30, ge=1, le=3650, description="Days between meetings [days].")
    quorum: float = Field(0.2, ge=0, le=1, description="Share of members needed for a valid vote [0-1].")
    cost_eur_per_meeting: float = Field(
        50.0, ge=0, le=100_000, description="Cost of holding one meeting (room, minutes) [EUR]."
    )


class MonitorParams(_Params):
    detection_probability: float = Field(
        0.3, ge=0, le=1, description="Probability that a breach is detected on a given day [0-1]."
    )
    error_rate: float = Field(
        0.002, ge=0, le=1, description="Probability that a compliant agent is wrongly accused [0-1]."
    )
    cost_eur_per_check: float = Field(0.05, ge=0, le=100, description="Cost of monitoring one agent for one day [EUR].")


class SanctionParams(_Params):
    scheme: Literal["graduated", "flat"] = Field("graduated", description="Escalating ladder or flat fine.")
    fines_eur: list[float] = Field(
        [0.0, 10.0, 30.0, 60.0],
        min_length=1,
        max_length=20,
        description="graduated: fine at each offence level, the first usually a warning (0) [EUR].",
    )
    flat_fine_eur: float = Field(30.0, ge=0, le=10_000, description="flat: fine for every offence [EUR].")
    exclude_after: int = Field(0, ge=0, le=100, description="Offences after which a member is excluded; 0: never.")
    forgiveness_days: int = Field(
        90, ge=1, le=3650, description="Clean days after which the offence level drops by one [days]."
    )
    cost_eur_per_sanction: float = Field(5.0, ge=0, le=10_000, description="Cost of imposing one sanction [EUR].")

    @model_validator(mode="after")
    def _non_negative_fines(self) -> SanctionParams:
        if any(f < 0 for f in self.fines_eur):
            raise ValueError("fines_eur must all be >= 0")
        return self


class MediationParams(_Params):
    access_probability: float = Field(0.8, ge=0, le=1, description="Share of disputes brought to mediation [0-1].")
    success_rate: float = Field(0.7, ge=0, le=1, description="Share of mediations that settle the dispute [0-1].")
    cost_eur_per_case: float = Field(10.0, ge=0, le=10_000, description="Cost of one mediation [EUR].")


class OverrideParams(_Params):
    probability_per_year: float = Field(
        1.0, ge=0, le=365, description="Expected overrides of the community's rules per year [1/yr]."
    )


class FacilitateParams(_Params):
    cost_eur_per_day: float = Field(20.0, ge=0, le=100_000, description="Operator's cost [EUR/day].")
    participation_cost_reduction: float = Field(
        0.5, ge=0, le=1, description="Share of the cost of taking part that the facilitator removes [0-1]."
    )
    load_shift_share: float = Field(
        0.1,
        ge=0,
        le=0.5,
        description="Share of a cooperating member's daily demand that the operator "
        "schedules into the hours of the day's PV output (synchronisation of flows, "
        "`000_027160d2fbf9a985.txt`) [0-1].",
    )


class DumpParams(_Params):
    pass


@dataclass(frozen=True)
class Aim:
    """An action of the vocabulary: who it may concern, which deontics, which principles."""

    name: str
    description: str
    attributes: tuple[str, ...]
    deontics: tuple[str, ...]
    principles: tuple[int, ...]
    params: type[_Params] = NoParams


AIMS: dict[str, Aim] = {
    a.name: a
    for a in (
        Aim("draw_pool", "draw energy from the community pool and battery", ("non_member",), ("must_not", "may"), (1,)),
        Aim(
            "allocate_energy",
            "share pooled energy among those entitled by an allocation key",
            ("operator",),
            ("must",),
            (2,),
            AllocateParams,
        ),
        Aim(
            "share_surplus",
            "offer at least a share of one's PV surplus to the pool",
            ("member",),
            ("must",),
            (2,),
            ShareParams,
        ),
        Aim(
            "overdraw", "draw more pooled energy than one's allocated share", ("member", "anyone"), ("must_not",), (2,)
        ),
        Aim("pay_fee", "pay the membership fee that funds the community", ("member",), ("must",), (2,), FeeParams),
        Aim(
            "dump_waste",
            "dump waste illegally instead of sorting it or bringing it to the hub",
            ("anyone", "household", "member"),
            ("must_not",),
            (2,),
            DumpParams,
        ),
        Aim(
            "vote_rules", "meet and vote on the quota, fee and fine levels", ("member",), ("may",), (3,), MeetingParams
        ),
        Aim(
            "monitor",
            "check whether others follow the rules",
            ("member", "operator", "official"),
            ("must", "may"),
            (4,),
            MonitorParams,
        ),
        Aim(
            "sanction",
            "impose a sanction on a detected breach",
            ("member", "operator", "official"),
            ("must",),
            (5,),
            SanctionParams,
        ),
        Aim(
            "mediate",
            "settle disputes and contested sanctions",
            ("operator", "official", "member"),
            ("must", "may"),
            (6,),
            MediationParams,
        ),
        Aim("recognise_rules", "respect the rules the community made for itself", ("official",), ("must",), (7,)),
        Aim("override_rules", "overrule the community's own rules", ("official",), ("may",), (7,), OverrideParams),
        Aim(
            "federate",
            "join the neighbourhood communities in a commune federation that balances them",
            ("community",),
            ("must", "may"),
            (8,),
        ),
        Aim(
            "facilitate",
            "dispatch the pool and battery, convene meetings, keep the accounts",
            ("operator",),
            ("must",),
            (2, 3),
            FacilitateParams,
        ),
    )
}


def _principle_number(value: Any) -> Any:
    if isinstance(value, str):
        if value in PRINCIPLES:
            return PRINCIPLES[value]
        if not value.strip().isdigit():
            raise ValueError(f"unknown principle {value!r}; allowed: 1-8 or " + ", ".join(PRINCIPLES))
    return value


class Statement(BaseModel):
    """One institutional statement (ADICO)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field("", description="A short name for messages and outputs.")
    principle: int = Field(description="Design principle implemented: 1-8 or its name.")
    attribute: Literal[ATTRIBUTES] = Field(description="To whom the statement applies.")  # type: ignore[valid-type]
    deontic: Deontic = Field(description="must, must_not or may.")
    aim: str = Field(description="The action, from the vocabulary (docs/rulebooks.md).")
    conditions: dict[str, Any] = Field(
        default_factory=dict, description="When it applies and the mechanism's parameters."
    )
    or_else: Literal["", "sanction"] = Field(
        "", description="'sanction': a breach triggers the rulebook's sanction scheme."
    )
    description: str = Field("", description="Free text.")

    @model_validator(mode="before")
    @classmethod
    def _principle_names(cls, data: Any) -> Any:
        if isinstance(data, dict) and "principle" in data:
            data = {**data, "principle": _principle_number(data["principle"])}
        return data

    @model_validator(mode="after")
    def _fits_vocabulary(self) -> Statement:
        aim = AIMS.get(self.aim)
        if aim is None:
            raise ValueError(f"unknown aim {self.aim!r}; allowed: {', '.join(AIMS)}")
        if self.principle not in PRINCIPLE_NAMES:
            raise ValueError(f"unknown principle {self.principle!r}; allowed: 1-8 or " + ", ".join(PRINCIPLES))
        if self.principle not in aim.principles:
            allowed = ", ".join(f"{p} ({PRINCIPLE_NAMES[p]})" for p in aim.principles)
            raise ValueError(f"aim {self.aim!r} implements principle {allowed}, not {self.principle}")
        if self.attribute not in aim.attributes:
            raise ValueError(
                f"aim {self.aim!r} applies to attribute {', '.join(aim.attributes)}; not {self.attribute!r}"
            )
        if self.deontic not in aim.deontics:
            raise ValueError(f"aim {self.aim!r} takes deontic {', '.join(aim.deontics)}; not {self.deontic!r}")
        try:
            aim.params.model_validate(self.conditions)
        except ValidationError as exc:
            where, message = describe_validation_error(exc, aim.params)
            raise ValueError(f"conditions.{where}: {message}") from None
        return self

    @property
    def params(self) -> _Params:
        """The validated conditions of the statement's aim."""
        return AIMS[self.aim].params.model_validate(self.conditions)


class OfficialsContext(BaseModel):
    """The officials' posture and stance toward the community (``000_027160d2fbf9a985.txt``,
    ``003_d0cbea24b0b91578.txt``)."""

    model_config = ConfigDict(extra="forbid")

    posture: Literal[POSTURES] = Field(  # type: ignore[valid-type]
        "consultation", description="Rung of the participation ladder: who may change the rules."
    )
    stance: Literal[STANCES] = Field("distant", description="Stance toward the community.")  # type: ignore[valid-type]
    electoral_cycle_days: int = Field(
        2190, ge=30, le=36500, description="Days between elections (French municipal mandate: 6 years)."
    )
    posture_change_probability: float = Field(
        0.5, ge=0, le=1, description="Probability that an election moves the posture one rung [0-1]."
    )
    staff_continuity: float = Field(
        0.7,
        ge=0,
        le=1,
        description="Share of the working relationship (institutional trust gained "
        "through officials) that civil-service staff carry over an election [0-1].",
    )


class Rulebook(BaseModel):
    """A rulebook file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("rulebook", description="A short name.")
    description: str = Field("", description="Free text.")
    officials: OfficialsContext = Field(default_factory=OfficialsContext)
    statements: list[Statement] = Field(default_factory=list, description="The institutional statements.")
    source_file: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _consistent(self) -> Rulebook:
        aims = [s.aim for s in self.statements]
        for name in set(aims):
            if aims.count(name) > 1 and name != "monitor":
                raise ValueError(f"statements: aim {name!r} appears {aims.count(name)} times; allowed once")
        if any(s.or_else == "sanction" for s in self.statements) and "sanction" not in aims:
            raise ValueError("statements: or_else 'sanction' needs a statement with aim 'sanction'")
        if "recognise_rules" in aims and "override_rules" in aims:
            raise ValueError("statements: 'recognise_rules' and 'override_rules' contradict each other")
        return self


def load_rulebook(path: str | Path) -> Rulebook:
    """Read and validate a rulebook file; :class:`InputError` names the file and the field."""
    path = Path(path)
    book = validated(Rulebook, read_toml(path, "rulebook"), path)
    book.source_file = path.resolve()
    return book


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
    min_share: float | None = None  # share of surplus members must offer
    overdraw_forbidden: bool = False
    overdraw_binds_anyone: bool = False  # attribute `anyone`: non-members drawing under open access too
    fee_eur_per_day: float = 0.0
    dumping_forbidden: bool = False
    dumping_binds_members_only: bool = False  # attribute `member`: member households only
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
    # P6 conflict resolution
    mediation: bool = False
    mediation_access: float = 0.0
    mediation_success: float = 0.0
    mediation_cost_eur: float = 0.0
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
    posture_change_probability: float = 0.5
    staff_continuity: float = 0.7
    statements: tuple[Statement, ...] = field(default=(), compare=False, repr=False)

    @property
    def principles(self) -> frozenset[int]:
        """The design principles some statement implements."""
        return frozenset(s.principle for s in self.statements)

    @property
    def has_rules(self) -> bool:
        """Whether any behaviour of members or households is regulated."""
        return bool(
            self.min_share is not None or self.overdraw_forbidden or self.fee_eur_per_day > 0 or self.dumping_forbidden
        )

    @property
    def monitored(self) -> bool:
        """Whether anybody monitors."""
        return bool(self.monitors)

    @cached_property
    def official_monitoring(self) -> bool:
        """Whether officials monitor top-down."""
        return any(who == "official" for who, *_ in self.monitors)

    # The same, as the compiled stages read it (computed once per rulebook).
    @cached_property
    def monitor_table(self) -> MonitorTable:
        """The monitors as arrays: who (:data:`PEER_MONITOR`, :data:`OFFICIAL_MONITOR` or :data:`OPERATOR_MONITOR`),
        detection probability, error rate and cost per check."""
        codes = {"peer": PEER_MONITOR, "official": OFFICIAL_MONITOR}
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
        sharing binds members with PV; the fee and overdrawing (attribute ``member``) bind
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
            sharing=on("share_surplus", self.min_share is not None),
            members=on("overdraw", self.overdraw_forbidden) or on("pay_fee", self.fee_eur_per_day > 0),
            everyone=on("overdraw", self.overdraw_binds_anyone) and self.boundary == "open_access",
            dumping=on("dump_waste", self.dumping_forbidden),
            dumping_members_only=self.dumping_binds_members_only,
        )


def no_rules(name: str = "no rules") -> Institutions:
    """No community rules: open access, nobody meets, monitors or sanctions."""
    return Institutions(name=name)


def compile_rulebook(book: Rulebook) -> Institutions:
    """The mechanism parameters a rulebook's statements set (a missing principle is off)."""
    by_aim: dict[str, Statement] = {}
    monitors = []
    for s in book.statements:
        if s.aim == "monitor":
            p = s.params
            who = "peer" if s.attribute == "member" else s.attribute
            monitors.append((who, p.detection_probability, p.error_rate, p.cost_eur_per_check))
        else:
            by_aim[s.aim] = s
    o = book.officials
    kw: dict[str, Any] = dict(
        name=book.name,
        posture=o.posture,
        stance=o.stance,
        electoral_cycle_days=o.electoral_cycle_days,
        posture_change_probability=o.posture_change_probability,
        staff_continuity=o.staff_continuity,
        statements=tuple(book.statements),
        monitors=tuple(monitors),
        sanctioned=frozenset(s.aim for s in book.statements if s.or_else == "sanction"),
    )
    if (s := by_aim.get("draw_pool")) is not None and s.deontic == "must_not":
        kw["boundary"] = "members_only"
    if (s := by_aim.get("allocate_energy")) is not None:
        kw["allocation_key"] = s.params.key
    if (s := by_aim.get("share_surplus")) is not None:
        kw["min_share"] = s.params.min_share
    kw["overdraw_forbidden"] = "overdraw" in by_aim
    kw["overdraw_binds_anyone"] = "overdraw" in by_aim and by_aim["overdraw"].attribute == "anyone"
    if (s := by_aim.get("pay_fee")) is not None:
        kw["fee_eur_per_day"] = s.params.eur_per_month * 12.0 / 365.0
    kw["dumping_forbidden"] = "dump_waste" in by_aim
    kw["dumping_binds_members_only"] = "dump_waste" in by_aim and by_aim["dump_waste"].attribute == "member"
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
        )
    if (s := by_aim.get("mediate")) is not None:
        p = s.params
        kw.update(
            mediation=True,
            mediation_access=p.access_probability,
            mediation_success=p.success_rate,
            mediation_cost_eur=p.cost_eur_per_case,
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
