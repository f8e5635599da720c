"""Rulebooks: community rules as data, in Crawford & Ostrom's ADICO grammar.

A rulebook is a TOML file of institutional statements (Crawford & Ostrom 1995, "A
grammar of institutions", APSR 89(3)): each has an **A**ttribute (to whom it applies),
a **D**eontic (``must``, ``must_not``, ``may``), an a**I**m (an action from the finite
vocabulary :data:`AIMS`), **C**onditions (when it applies: a :class:`WhenClause` over the
model's state, evaluated each day by :mod:`commons_abm.governance.conditions`) and an
**O**r-else (``"sanction"``: breaking it triggers the rulebook's sanction scheme). The
mechanism's numbers are the statement's ``parameters``. Each statement is tagged with the
Ostrom (1990) design principle it implements. Officials' posture and stance
(``000_027160d2fbf9a985.txt``) are the rulebook's ``[officials]`` table.

:func:`load_rulebook` validates a file;
:func:`commons_abm.governance.institutions.compile_rulebook` turns the statements into the
numbers the stages use (:class:`~commons_abm.governance.institutions.Institutions`). A
principle no statement implements is switched off. ``docs/rulebooks.md`` lists the
vocabulary.

Over 400 lines: the vocabulary (each aim with the model of its conditions) and the
grammar's validation are one table, read and extended together.

Example::

    name = "members only, sanctioned sharing"
    [[statements]]
    id = "boundary"
    principle = "boundaries"
    attribute = "non_member"
    deontic = "must_not"
    aim = "draw_pool"

    [[statements]]
    id = "weekend-watch"
    principle = "monitoring"
    attribute = "member"
    deontic = "may"
    aim = "monitor"
    parameters = { detection_probability = 0.3 }
    conditions = { weekdays = ["saturday", "sunday"] }
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from commons_abm.core.errors import InputError, describe_validation_error
from commons_abm.core.tomlfile import read_toml, validated

__all__ = [
    "AIMS",
    "ATTRIBUTES",
    "PRINCIPLES",
    "POSTURES",
    "POSTURE_VOICE",
    "STANCES",
    "Aim",
    "Rulebook",
    "Statement",
    "WEEKDAYS",
    "STATEMENT_FIELDS",
    "WhenClause",
    "load_rulebook",
    "rulebook_with",
    "statement_keys",
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

ATTRIBUTES = ("anyone", "member", "non_member", "household", "firm", "official", "operator", "community")
Deontic = Literal["must", "must_not", "may"]


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class NoParams(_Params):
    """No parameters."""


class AllocateParams(_Params):
    key: Literal["static", "equal", "pro_rata_consumption", "pro_rata_contribution", "needs_first"] = Field(
        "pro_rata_contribution", description="Allocation key of pooled energy."
    )


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


class MatchByproductsParams(_Params):
    discovery_per_day: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Chance that the platform finds, on a given day, any given match between one firm's "
        "by-product and another's input [1/day].",
    )
    setup_cost_cut: float = Field(
        0.5, ge=0, le=1, description="Share of a match's set-up cost the facilitator takes on [0-1]."
    )
    transaction_cost_cut: float = Field(
        0.5, ge=0, le=1, description="Share of the cost of handling a kg between firms the platform saves [0-1]."
    )
    cost_eur_per_day: float = Field(
        30.0,
        ge=0,
        le=100_000,
        description="The platform's and facilitator's cost, shared by the firms in an active match [EUR/day].",
    )


class FundHubParams(_Params):
    subsidy_eur_per_day: float = Field(
        50.0,
        ge=0,
        le=1e6,
        description="Public money for the reuse-and-repair hub [EUR/day]; 50 EUR/day is about the 18,930 EUR a "
        "year of public money per subsidised job in France's zero-long-term-unemployment territories "
        "(003_d0cbea24b0b91578.txt).",
    )


class ChargeWasteParams(_Params):
    scheme: Literal["flat", "per_kg", "per_lift"] = Field(
        "flat",
        description="How households pay for their waste: a flat tax or charge (TEOM, REOM), by weight, or by "
        "the number of times their chipped bin is emptied (redevance incitative per lift).",
    )
    fixed_eur_per_inhabitant_year: float = Field(
        93.0,
        ge=0,
        le=10_000,
        description="The flat part [EUR/inhabitant/yr] (ADEME, référentiel des coûts 2014: 93 EUR per "
        "inhabitant, the public service's cost).",
    )
    eur_per_kg: float = Field(0.0, ge=0, le=100, description="Price per kg of residual waste (per_kg) [EUR/kg].")
    eur_per_lift: float = Field(
        3.0,
        ge=0,
        le=1_000,
        description="Price per lift beyond those included (per_lift) [EUR]; ADEME 2024: the strongest effects "
        "above 3 EUR per lift.",
    )
    kg_per_lift: float = Field(15.0, gt=0, le=10_000, description="Residual waste in one full bin [kg].")
    lifts_included: float = Field(
        12.0, ge=0, le=365, description="Lifts a year paid by the flat part (per_lift) [1/yr]."
    )


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# When-clauses over the day (the calendar, the shared battery) and over the agent a statement binds.
DAY_CLAUSES = ("weekdays", "months", "battery_below", "battery_above")
AGENT_CLAUSES = ("has_pv",)


class WhenClause(_Params):
    """When a statement applies: the C of Crawford & Ostrom's (1995) grammar, conditions
    over the model's state that :mod:`commons_abm.governance.conditions` evaluates each day.
    All the clauses given must hold; a statement without conditions always applies."""

    weekdays: list[Literal[WEEKDAYS]] | None = Field(  # type: ignore[valid-type]
        None,
        min_length=1,
        max_length=7,
        description="Days of the week on which it applies (monday to sunday); default every day.",
    )
    months: list[int] | None = Field(
        None, min_length=1, max_length=12, description="Months (1-12) in which it applies; default all year."
    )
    battery_below: float | None = Field(
        None,
        ge=0,
        le=1,
        description="It applies on days that start with the shared battery charged below this share of its "
        "capacity [0-1].",
    )
    battery_above: float | None = Field(
        None,
        ge=0,
        le=1,
        description="It applies on days that start with the shared battery charged above this share of its "
        "capacity [0-1].",
    )
    has_pv: bool | None = Field(
        None, description="It binds only agents with rooftop PV (true) or only those without (false)."
    )

    @model_validator(mode="after")
    def _coherent(self) -> WhenClause:
        if self.months is not None and any(not 1 <= m <= 12 for m in self.months):
            raise ValueError("months must be between 1 and 12")
        if self.battery_below is not None and self.battery_above is not None:
            if self.battery_above >= self.battery_below:
                raise ValueError("battery_above must be below battery_below (a band of charge)")
        return self

    @property
    def clauses(self) -> tuple[str, ...]:
        """The clauses it sets."""
        return tuple(name for name in type(self).model_fields if getattr(self, name) is not None)


@dataclass(frozen=True)
class Aim:
    """An action of the vocabulary: who it may concern, which deontics, which principles."""

    name: str
    description: str
    attributes: tuple[str, ...]
    deontics: tuple[str, ...]
    principles: tuple[int, ...]
    params: type[_Params] = NoParams
    when: tuple[str, ...] = ()  # the when-clauses (fields of WhenClause) its conditions may hold
    # attributes that take only some of the aim's deontics (others take them all)
    deontics_of: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def allows(self, attribute: str, deontic: str) -> bool:
        """Whether a statement of this aim may give ``attribute`` the ``deontic``."""
        return deontic in dict(self.deontics_of).get(attribute, self.deontics)


# Aims that no longer have a counterpart in the model, with what to do instead.
REMOVED_AIMS = {
    "share_surplus": "in French collective self-consumption all of a member producer's surplus is the "
    "operation's production, shared by the allocation key (docs/ODD.md 7.4); remove the statement",
}

AIMS: dict[str, Aim] = {
    a.name: a
    for a in (
        Aim(
            "draw_pool",
            "draw energy from the community pool and battery",
            ("non_member",),
            ("must_not", "may"),
            (1,),
            when=DAY_CLAUSES,
        ),
        Aim(
            "allocate_energy",
            "share pooled energy among those entitled by an allocation key",
            ("operator",),
            ("must",),
            (2,),
            AllocateParams,
            when=DAY_CLAUSES,
        ),
        Aim(
            "overdraw",
            "draw more pooled energy than one's allocated share",
            ("member", "anyone"),
            ("must_not",),
            (2,),
            when=DAY_CLAUSES + AGENT_CLAUSES,
        ),
        Aim(
            "pay_fee",
            "pay the membership fee that funds the community",
            ("member",),
            ("must",),
            (2,),
            FeeParams,
            when=DAY_CLAUSES + AGENT_CLAUSES,
        ),
        Aim(
            "dump_waste",
            "dump waste illegally instead of sorting it or bringing it to the hub",
            ("household", "member"),
            ("must_not",),
            (2,),
            DumpParams,
            when=DAY_CLAUSES,
        ),
        Aim(
            "match_byproducts",
            "run a platform and a facilitator that find matches between firms' by-products and inputs",
            ("operator",),
            ("must",),
            (2, 3),
            MatchByproductsParams,
            when=DAY_CLAUSES,
        ),
        Aim(
            "fund_hub",
            "fund the reuse-and-repair hub with public money, which pays its staff",
            ("official",),
            ("must",),
            (2,),
            FundHubParams,
            when=DAY_CLAUSES,
        ),
        Aim(
            "charge_waste",
            "charge households for their residual waste: flat, by weight or per lift of a chipped bin",
            ("official",),
            ("must",),
            (2,),
            ChargeWasteParams,
        ),
        Aim("vote_rules", "meet and vote on the fee and fine levels", ("member",), ("may",), (3,), MeetingParams),
        Aim(
            "monitor",
            "check whether others follow the rules: members who may, as they choose (those who cooperate "
            "do); members who must, every one by turns; the operator and officials as their duty",
            ("member", "operator", "official"),
            ("must", "may"),
            (4,),
            MonitorParams,
            when=DAY_CLAUSES,
            deontics_of=(("operator", ("must",)), ("official", ("must",))),
        ),
        Aim(
            "sanction",
            "impose a sanction on a detected breach: the community's own (fines to its account) or the "
            "commune's (officials: fines to the commune, felt as external control)",
            ("member", "official"),
            ("must",),
            (5,),
            SanctionParams,
            when=DAY_CLAUSES,
        ),
        Aim(
            "mediate",
            "settle contested sanctions: the wrongly sanctioned bring their case as far as they trust the "
            "mediator (the operator, a neutral third party; officials; fellow members)",
            ("operator", "official", "member"),
            ("must",),
            (6,),
            MediationParams,
            when=DAY_CLAUSES,
        ),
        Aim("recognise_rules", "respect the rules the community made for itself", ("official",), ("must",), (7,)),
        Aim("override_rules", "overrule the community's own rules", ("official",), ("may",), (7,), OverrideParams),
        Aim(
            "federate",
            "join the neighbourhood communities in a commune federation that balances them",
            ("community",),
            ("must",),
            (8,),
        ),
        Aim(
            "facilitate",
            "dispatch the pool and battery, convene meetings, keep the accounts",
            ("operator",),
            ("must",),
            (2, 3),
            FacilitateParams,
            when=DAY_CLAUSES,
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

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    id: str = Field("", description="A short name for messages and outputs.")
    principle: int = Field(description="Design principle implemented: 1-8 or its name.")
    attribute: Literal[ATTRIBUTES] = Field(description="To whom the statement applies.")  # type: ignore[valid-type]
    deontic: Deontic = Field(description="must, must_not or may.")
    aim: str = Field(description="The action, from the vocabulary (docs/rulebooks.md).")
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="The numbers of the mechanism its aim sets (docs/rulebooks.md)."
    )
    conditions: dict[str, Any] = Field(
        default_factory=dict,
        description="When it applies: when-clauses over the model's state, evaluated each day (docs/rulebooks.md).",
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
            if self.aim in REMOVED_AIMS:
                raise ValueError(f"aim {self.aim!r} was removed: {REMOVED_AIMS[self.aim]}")
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
        if not aim.allows(self.attribute, self.deontic):
            allowed = ", ".join(dict(aim.deontics_of)[self.attribute])
            raise ValueError(
                f"aim {self.aim!r} takes deontic {allowed} for attribute {self.attribute!r}; not {self.deontic!r}"
            )
        try:
            aim.params.model_validate(self.parameters)
        except ValidationError as exc:
            where, message = describe_validation_error(exc, aim.params)
            raise ValueError(f"parameters{'.' + where if where else ''}: {message}") from None
        for name in self.conditions:
            if name in aim.params.model_fields:
                raise ValueError(
                    f"conditions.{name}: {name!r} is a parameter of aim {self.aim!r}; write it under "
                    "`parameters` (conditions are when-clauses: " + ", ".join(WhenClause.model_fields) + ")"
                )
            if name in WhenClause.model_fields and name not in aim.when:
                allowed = ", ".join(aim.when) or "none"
                raise ValueError(f"conditions.{name}: aim {self.aim!r} takes the when-clauses {allowed}")
        try:
            WhenClause.model_validate(self.conditions)
        except ValidationError as exc:
            where, message = describe_validation_error(exc, WhenClause)
            raise ValueError(f"conditions{'.' + where if where else ''}: {message}") from None
        return self

    @property
    def params(self) -> _Params:
        """The validated parameters of the statement's aim."""
        return AIMS[self.aim].params.model_validate(self.parameters)

    @property
    def when(self) -> WhenClause:
        """The validated when-clauses of the statement (none: it always applies)."""
        return WhenClause.model_validate(self.conditions)


class OfficialsContext(BaseModel):
    """The officials' posture and stance toward the community (``000_027160d2fbf9a985.txt``,
    ``003_d0cbea24b0b91578.txt``)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    posture: Literal[POSTURES] = Field(  # type: ignore[valid-type]
        "consultation", description="Rung of the participation ladder: who may change the rules."
    )
    stance: Literal[STANCES] = Field("distant", description="Stance toward the community.")  # type: ignore[valid-type]
    electoral_cycle_days: int = Field(
        2190,
        ge=30,
        le=36500,
        description="Days between elections (French municipal councils are elected for six years, "
        "Code électoral art. L227) [days].",
    )
    first_election_day: int = Field(
        1898,
        ge=0,
        le=36500,
        description="Step of the first election [day]: by default the French municipal elections of 2032 "
        "(held in March), for a run that starts on the first day of 2027 (the previous ones were held in 2026).",
    )
    posture_change_probability: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Probability that an election brings a new majority, which moves the posture one rung [0-1].",
    )
    staff_continuity: float = Field(
        0.7,
        ge=0,
        le=1,
        description="Probability that civil-service staff carry the working relationship over an election "
        "that moves the posture: the stance stays (003_d0cbea24b0b91578.txt) [0-1].",
    )


class Rulebook(BaseModel):
    """A rulebook file."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

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


# Statement fields a path may set besides the aim's parameters and conditions (``enabled`` removes it).
STATEMENT_FIELDS = ("enabled", "deontic", "attribute", "or_else")


def statement_keys(book: Rulebook) -> dict[str, list[int]]:
    """Statement selectors of ``book``: ids first, then aims; each maps to statement positions."""
    keys: dict[str, list[int]] = {}
    by_aim: dict[str, list[int]] = {}
    for i, s in enumerate(book.statements):
        if s.id:
            keys.setdefault(s.id, []).append(i)
        by_aim.setdefault(s.aim, []).append(i)
    for aim, positions in by_aim.items():
        keys.setdefault(aim, positions)
    return keys


def rulebook_with(book: Rulebook, values: dict[str, Any], source: str) -> Rulebook:
    """A copy of ``book`` with ``rulebook.<statement>.<field>`` values set (``<statement>``: an
    id or an aim, :func:`statement_keys`; ``<field>``: ``enabled``, a statement field, a
    condition or a parameter; ``rulebook.officials.<field>``), validated; an error names
    ``source`` and the field."""
    data = book.model_dump(mode="json")
    keys = statement_keys(book)
    removed: set[int] = set()
    for path, value in values.items():
        _, key, field = path.split(".", 2)
        if key == "officials":
            data["officials"][field] = value
            continue
        for i in keys[key]:
            statement = data["statements"][i]
            if field == "enabled":
                if not value:
                    removed.add(i)
            elif field in STATEMENT_FIELDS:
                statement[field] = value
            elif field in WhenClause.model_fields:
                statement["conditions"][field] = value
            else:
                statement["parameters"][field] = value
    data["statements"] = [s for i, s in enumerate(data["statements"]) if i not in removed]
    if not any(s["aim"] == "sanction" for s in data["statements"]):
        for s in data["statements"]:
            s["or_else"] = ""
    try:
        return Rulebook.model_validate(data)
    except ValidationError as exc:
        where, message = describe_validation_error(exc, Rulebook)
        raise InputError(source, f"rulebook {where}", message) from None
