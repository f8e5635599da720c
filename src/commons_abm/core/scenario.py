"""Scenario files: the territory, its network, energy, materials, behaviour, rules and run.

A scenario is a TOML file validated by the pydantic models below. Every field has a unit
and a description; :func:`describe_fields` lists them all (``docs/scenario.md`` is
generated from it). Unknown keys are refused, so a typo never silently falls back to a
default.

Over 400 lines: the schema of one file format, one class per section in the order of the
file, each field with its default, bounds, unit and source; split, it would no longer read
as the reference of the scenario format that ``docs/scenario.md`` is generated from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from commons_abm.core.calibrated import calibrated
from commons_abm.core.errors import InputError, describe_validation_error
from commons_abm.core.kinds import LOAD_PROFILES
from commons_abm.core.tomlfile import read_toml

__all__ = [
    "Behaviour",
    "Energy",
    "MEMBER_BOUNDS",
    "MEMBER_KINDS",
    "Materials",
    "Member",
    "NetworkSpec",
    "Rules",
    "Run",
    "Scenario",
    "Territory",
    "default_scenario_path",
    "describe_fields",
    "LIMITS",
    "load_scenario",
    "member_problem",
    "resolve_named",
    "scenario_value",
    "shipped_names",
]

Share = Annotated[float, Field(ge=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0)]
Positive = Annotated[float, Field(gt=0.0)]

# Upper bounds where a physical or computational limit exists, each far above any French
# actor or operation and low enough that a year of sums over the largest territory stays
# exact to well under 1e-6 of its flows in float64. LIMITS documents them in docs/scenario.md.
MAX_ANNUAL_KWH = 1e8
MAX_PV_KWP = 1e4
MAX_BATTERY_KWH = 1e6
MAX_BATTERY_KW = 1e6
MAX_EUR_PER_KWH = 10.0
MAX_KG_PER_INHABITANT_YEAR = 10_000.0
MAX_KG_PER_DAY = 1e7
MAX_STORAGE_KG = 1e9
MAX_EUR_PER_KG = 100.0
LIMITS: tuple[tuple[str, float, str], ...] = (
    ("annual electricity demand of one actor [kWh/yr]", MAX_ANNUAL_KWH, "100 GWh, a large industrial site"),
    ("PV of one actor [kWp]", MAX_PV_KWP, "10 MWp, twice the 5 MW cap of a French collective operation"),
    ("shared battery capacity [kWh]", MAX_BATTERY_KWH, "1 GWh, above any battery installed in France"),
    ("shared battery power [kW]", MAX_BATTERY_KW, "1 GW"),
    ("any electricity price [EUR/kWh]", MAX_EUR_PER_KWH, "over three times the highest French day-ahead price"),
    ("household waste [kg/inhabitant/yr]", MAX_KG_PER_INHABITANT_YEAR, "16 times the French mean of 615"),
    ("a daily material flow of one actor or the hub [kg/day]", MAX_KG_PER_DAY, "10,000 t"),
    ("the hub's storage [kg]", MAX_STORAGE_KG, "1 Mt"),
    ("any material price [EUR/kg]", MAX_EUR_PER_KG, "as for the route costs"),
)


class _Section(BaseModel):
    """Base of every scenario section: unknown keys are errors, values are re-validated,
    types are not converted (``true`` is no count, ``"0.5"`` no share, ``3.0`` no integer;
    an integer is a valid real number) and every real number is finite."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False, strict=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- territory
# A members list's kinds and the model's kinds (core.kinds.KINDS) they are: a public building
# is the official responsible for it.
MEMBER_KINDS: dict[str, str] = {"household": "household", "firm": "firm", "public": "official"}

# Bounds on one participant of a members list, by kind: (field, at most, why). Above them a
# row is taken for a typing error (a value in Wh, a meter reading), not for a participant.
MEMBER_BOUNDS: dict[str, tuple[tuple[str, float, str], ...]] = {
    "household": (
        ("annual_kwh", 100_000.0, "over 20 times the French household's 4,500 kWh/yr (RTE, ORE)"),
        ("pv_kwp", 36.0, "the top of the residential 9-36 kWp class (Observ'ER 2022; EDF OA bands)"),
        ("battery_kwh", 100.0, "ten times a home battery of 5-15 kWh"),
    ),
    "firm": (
        ("annual_kwh", MAX_ANNUAL_KWH, "100 GWh, a large industrial site"),
        ("pv_kwp", 5_000.0, "the 5 MW cap of a French collective operation (arrêté du 21 novembre 2019, 2023)"),
        ("battery_kwh", MAX_BATTERY_KWH, "1 GWh, above any battery installed in France"),
    ),
    "public": (
        ("annual_kwh", 10_000_000.0, "10 GWh, a hospital or a large swimming pool"),
        ("pv_kwp", 5_000.0, "the 5 MW cap of a French collective operation (arrêté du 21 novembre 2019, 2023)"),
        ("battery_kwh", MAX_BATTERY_KWH, "1 GWh, above any battery installed in France"),
    ),
}


class Member(_Section):
    """One participant of a members list (``territory.members``): a row of the file that
    ``commons-abm territory`` reads. Its kind, neighbourhood, demand, PV and, when given,
    battery, persons and load profile replace the draws of the aggregate statistics."""

    id: str = Field(min_length=1, max_length=64, description="The participant's identifier, unique in the list.")
    kind: Literal["household", "firm", "public"] = Field(
        description="household, firm, or public (a public building, the model's official responsible for it)."
    )
    neighbourhood: str = Field(min_length=1, max_length=64, description="The neighbourhood's name.")
    annual_kwh: NonNeg = Field(description="Annual electricity demand [kWh/yr].")
    pv_kwp: NonNeg = Field(description="Installed rooftop PV [kWp]; 0: none.")
    battery_kwh: NonNeg = Field(
        0.0,
        description="Usable capacity of the participant's own battery [kWh]; the model has one shared battery, "
        "which includes it (energy.battery.capacity_kwh is at least the members' sum).",
    )
    persons: float | None = Field(
        None, ge=1, le=20, description="Persons in the household [persons]; none: territory.persons_per_household."
    )
    load_profile: str | None = Field(
        None,
        max_length=1000,
        description="A named profile (" + ", ".join(LOAD_PROFILES) + ") or a CSV file of metered load (path "
        "relative to the scenario file; a column kwh of 8760 hourly or 17520 half-hourly values of one year "
        "from 1 January), used as the shape and scaled to annual_kwh; none: the kind's own profile.",
    )

    @model_validator(mode="after")
    def _plausible(self) -> Member:
        problem = member_problem(self.model_dump())
        if problem is not None:
            raise ValueError(f"{problem[0]}: {problem[1]}")
        return self

    @property
    def model_kind(self) -> str:
        """The name of the model's kind (:data:`~commons_abm.core.kinds.KINDS`) this participant is."""
        return MEMBER_KINDS[self.kind]


def member_problem(row: dict[str, Any]) -> tuple[str, str] | None:
    """What makes a participant's values (of the right types, ``kind`` one of :data:`MEMBER_KINDS`)
    implausible, as ``(field, what is wrong and allowed)``; none: nothing."""
    kind = row["kind"]
    for name, most, why in MEMBER_BOUNDS[kind]:
        value = row.get(name)
        if value is not None and value > most:
            return name, f"{value:g} is absurd for a {kind}; allowed: 0 to {most:g} ({why})"
    if row.get("persons") is not None and kind != "household":
        return "persons", f"given for a {kind}; allowed: empty (persons is for households only)"
    profile = row.get("load_profile")
    if profile is not None and profile not in LOAD_PROFILES and not str(profile).lower().endswith(".csv"):
        return "load_profile", (
            f"unknown profile {profile!r}; allowed: {', '.join(LOAD_PROFILES)}, or the path of a .csv of metered load"
        )
    return None


_MEMBER_COUNTS = {"households": "household", "firms": "firm", "officials": "public"}


class Territory(_Section):
    """Who lives and works in the territory, and how it nests (neighbourhood ⊂ commune).

    With ``members``, the territory is a community's own: one entry per participant, and the
    counts and the number of neighbourhoods follow the list (a count given that disagrees
    with it is an error)."""

    households: int = Field(300, ge=1, le=10_000_000, description="Number of households [count].")
    firms: int = Field(20, ge=0, le=1_000_000, description="Number of firms [count].")
    officials: int = Field(
        5,
        ge=0,
        le=100_000,
        description="Number of officials [count]; each is responsible for one public building.",
    )
    neighbourhoods: int = Field(
        4,
        ge=1,
        le=100_000,
        description="Neighbourhoods nested in the commune [count]; agents are spread evenly.",
    )
    persons_per_household: float = Field(
        2.2, ge=1, le=20, description="Mean household size [persons], at least one (INSEE: 2.2 in 2020)."
    )
    energy_poor_share: Share = Field(
        0.12,
        description="Share of households in energy poverty [0-1]; they come first under "
        "the 'needs_first' allocation key (ONPE: about 12 % of French households).",
    )
    members: list[Member] | None = Field(
        None,
        description="The participants, one table each (id, kind, neighbourhood, annual_kwh, pv_kwp, optional "
        "battery_kwh, persons, load_profile; written by `commons-abm territory MEMBERS.csv`); none: the territory "
        "is drawn from the counts and the energy sections' statistics. With members, the counts and "
        "neighbourhoods follow the list and each participant's demand, PV, persons and load profile are its "
        "own; energy poverty, PV performance, membership, waste, motives and ties are drawn as without.",
    )

    @model_validator(mode="before")
    @classmethod
    def _counts_follow_members(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("members"), list):
            return data
        rows = data["members"]
        if not all(isinstance(row, dict) for row in rows):
            return data  # the members' own validation says what is wrong
        data = dict(data)
        kinds = [row.get("kind") for row in rows]
        listed = {count: kinds.count(kind) for count, kind in _MEMBER_COUNTS.items()}
        listed["neighbourhoods"] = len({str(row.get("neighbourhood")) for row in rows})
        if not listed["households"]:
            raise ValueError("members lists no household; allowed: a list with at least one household")
        for count, value in listed.items():
            if count in data and data[count] != value:
                raise ValueError(
                    f"{count} = {data[count]!r} but members lists {value}; allowed: leave {count} out, or {value}"
                )
            data[count] = value
        return data

    @model_validator(mode="after")
    def _ids_unique(self) -> Territory:
        seen: set[str] = set()
        for row in self.members or ():
            if row.id in seen:
                raise ValueError(f"members: id {row.id!r} appears twice; allowed: one row per participant")
            seen.add(row.id)
        return self


# ----------------------------------------------------------------------------- network
class Proximities(_Section):
    """Probability that a tie carries each kind of proximity (four proximities:
    ``000_027160d2fbf9a985.txt``).

    Geographic proximity is set by the territory (both ends in the same neighbourhood)
    and is not acquaintance (``003_d0cbea24b0b91578.txt``); the three others are drawn per tie.
    """

    institutional: Share = Field(1.0, description="Probability that a tie with an official is institutional [0-1].")
    functional: Share = Field(1.0, description="Probability that a tie involving a firm is functional [0-1].")
    affective: Share = Field(0.4, description="Probability that a tie between households is affective [0-1].")


class NetworkSpec(_Section):
    """The social network: a generator and its parameters, or a graph file."""

    generator: Literal["small_world", "scale_free", "stochastic_block", "random_geometric", "file"] = Field(
        "stochastic_block", description="How the network is made."
    )
    average_degree: float = Field(6.0, gt=0, le=1000, description="Target mean number of ties per agent [ties].")
    rewiring_probability: Share = Field(
        0.1, description="small_world: probability that a lattice tie is rewired [0-1]."
    )
    within_neighbourhood_share: Share = Field(
        0.8, description="stochastic_block: expected share of ties inside a neighbourhood [0-1]."
    )
    file: str | None = Field(
        None,
        description="generator = 'file': GraphML (.graphml) or edge list (any other "
        "extension) with exactly one node per agent, households first, then firms, then "
        "officials, in sorted node order. Relative paths are relative to the scenario file.",
    )
    proximities: Proximities = Field(default_factory=Proximities)

    @model_validator(mode="after")
    def _file_given_when_needed(self) -> NetworkSpec:
        if self.generator == "file" and not self.file:
            raise ValueError("generator 'file' needs network.file (a .graphml or edge-list path)")
        if self.generator != "file" and self.file:
            raise ValueError(
                f"network.file is read only with generator 'file' (the generator is {self.generator!r}); "
                "allowed: remove network.file, or set network.generator = 'file'"
            )
        return self


# ------------------------------------------------------------------------------ energy
class Consumers(_Section):
    """Electricity demand and rooftop PV of one kind of actor."""

    annual_demand_kwh: NonNeg = Field(le=MAX_ANNUAL_KWH, description="Mean annual electricity demand [kWh/yr].")
    demand_spread: NonNeg = Field(0.3, le=3, description="Coefficient of variation of annual demand across actors [-].")
    pv_adoption: Share = Field(description="Share of actors with rooftop PV [0-1].")
    pv_kwp_mean: NonNeg = Field(le=MAX_PV_KWP, description="Mean installed PV peak power of an adopter [kWp].")


class HouseholdEnergy(Consumers):
    """Households: about 4,250-4,800 kWh/yr (RTE, ORE); 64.5 % of PV systems <= 3 kWp,
    25.5 % 3-9 kWp, mean self-consumer about 5 kWp (Observ'ER 2022)."""

    annual_demand_kwh: NonNeg = Field(4500.0, le=MAX_ANNUAL_KWH, description="Mean annual electricity demand [kWh/yr].")
    pv_adoption: Share = Field(0.15, description="Share of households with rooftop PV [0-1].")
    pv_kwp_mean: NonNeg = Field(5.0, le=MAX_PV_KWP, description="Mean installed PV peak power of an adopter [kWp].")


class FirmEnergy(Consumers):
    """Small firms and shops, working hours on weekdays."""

    annual_demand_kwh: NonNeg = Field(
        60_000.0, le=MAX_ANNUAL_KWH, description="Mean annual electricity demand [kWh/yr]."
    )
    pv_adoption: Share = Field(0.3, description="Share of firms with rooftop PV [0-1].")
    pv_kwp_mean: NonNeg = Field(36.0, le=MAX_PV_KWP, description="Mean installed PV peak power of an adopter [kWp].")


class PublicEnergy(Consumers):
    """Public buildings (town hall, school, gym), one per official."""

    annual_demand_kwh: NonNeg = Field(
        80_000.0, le=MAX_ANNUAL_KWH, description="Mean annual electricity demand [kWh/yr]."
    )
    pv_adoption: Share = Field(0.4, description="Share of public buildings with rooftop PV [0-1].")
    pv_kwp_mean: NonNeg = Field(30.0, le=MAX_PV_KWP, description="Mean installed PV peak power of an adopter [kWp].")


class PV(_Section):
    """Solar resource."""

    specific_yield_kwh_per_kwp: Positive = Field(
        1200.0,
        le=2500,
        description="Annual output per installed kWp [kWh/kWp/yr] (France: about 1,000 north to 1,500 south).",
    )
    latitude_deg: float = Field(47.0, ge=-66, le=66, description="Latitude of the territory [degrees north].")
    weather_variability: Share = Field(
        0.5,
        description="Day-to-day variability of cloudiness [0 = every day clear-sky average, 1 = strongly variable].",
    )


class Battery(_Section):
    """The community's shared battery."""

    capacity_kwh: NonNeg = Field(200.0, le=MAX_BATTERY_KWH, description="Usable energy capacity [kWh].")
    power_kw: NonNeg = Field(100.0, le=MAX_BATTERY_KW, description="Maximum charge and discharge power [kW].")
    round_trip_efficiency: float = Field(
        0.9, gt=0, le=1, description="Energy out over energy in for a full cycle [0-1]."
    )
    initial_soc: Share = Field(0.5, description="State of charge at the start [share of capacity].")
    dispatch: Literal["on_deficit", "evening_peak"] = Field(
        "on_deficit",
        description="on_deficit: the battery covers participants' deficits whenever they arise; "
        "evening_peak: the operator keeps its charge for 17:00-22:00, when the default territory's "
        "grid import peaks (docs/validation.md), and discharges only then.",
    )


class Tariffs(_Section):
    """Prices of electricity exchanges."""

    import_eur_per_kwh: NonNeg = Field(
        0.2516,
        le=MAX_EUR_PER_KWH,
        description="Price of grid electricity [EUR/kWh] (French regulated base tariff, 2024).",
    )
    export_eur_per_kwh: NonNeg = Field(
        0.1276,
        le=MAX_EUR_PER_KWH,
        description="Price paid for surplus sold outside [EUR/kWh] (EDF OA surplus, <= 9 kWp, 2024).",
    )
    community_eur_per_kwh: NonNeg = Field(
        0.16, le=MAX_EUR_PER_KWH, description="Price of energy exchanged inside the community [EUR/kWh]."
    )


class DemandNoise(_Section):
    """Random variation of demand around its profile."""

    daily_cv: NonNeg = Field(0.1, le=2, description="Day-to-day variation of each actor's demand [-].")
    hourly_cv: NonNeg = Field(0.15, le=2, description="Hour-to-hour variation of each actor's demand [-].")


class Energy(_Section):
    """Hourly electricity: demand, PV, the community pool, the shared battery, tariffs."""

    households: HouseholdEnergy = Field(default_factory=HouseholdEnergy)
    firms: FirmEnergy = Field(default_factory=FirmEnergy)
    public_buildings: PublicEnergy = Field(default_factory=PublicEnergy)
    pv: PV = Field(default_factory=PV)
    battery: Battery = Field(default_factory=Battery)
    tariffs: Tariffs = Field(default_factory=Tariffs)
    noise: DemandNoise = Field(default_factory=DemandNoise)
    start_day_of_year: int = Field(1, ge=1, le=365, description="Calendar day of step 0 [1-365].")
    start_weekday: int = Field(0, ge=0, le=6, description="Weekday of step 0 [0 = Monday].")


# --------------------------------------------------------------------------- materials
class HouseholdEffort(_Section):
    """What sorting, composting, bringing goods to the hub and dumping cost a household, and
    what doing right by the commons is worth to it, per kg [EUR/kg]
    (:mod:`commons_abm.behaviour.waste_choices`)."""

    warm_glow_eur_per_kg: NonNeg = Field(
        0.47,
        le=MAX_EUR_PER_KG,
        description="What doing right by the commons is worth to a fully cooperative household, per kg "
        "[EUR/kg]; fitted so that the status quo sorts 65.5 % of recyclables, the share of household "
        "packaging Citeo reports recycled in 2023 (calibration/household_waste.py).",
    )
    sorting_eur_per_kg: NonNeg = Field(
        0.10,
        le=MAX_EUR_PER_KG,
        description="Mean effort of sorting a kg of recyclables [EUR/kg]: what households would pay to have "
        "someone else sort (Bruvoll, Halvorsen & Nyborg 2002: NOK 176 a year, about 30 EUR today, for some "
        "300 kg sorted).",
    )
    composting_eur_per_kg: NonNeg = Field(
        0.15,
        le=MAX_EUR_PER_KG,
        description="Mean effort of composting a kg of food waste [EUR/kg] (assumption: more than sorting, "
        "a trip to the compost bin).",
    )
    hub_extra_eur_per_kg: NonNeg = Field(
        0.3,
        le=MAX_EUR_PER_KG,
        description="Mean extra effort of bringing goods to the hub rather than the recycling centre "
        "(opening hours, sorting the goods) [EUR/kg] (assumption).",
    )
    trip_eur_per_kg: NonNeg = Field(
        0.8,
        le=MAX_EUR_PER_KG,
        description="A trip to the recycling centre (déchèterie) per kg of goods [EUR/kg]: 30 minutes at "
        "about 10 EUR/h of non-work time and 10 km at 0.3 EUR/km, for about 10 kg.",
    )
    dumping_hassle_eur_per_kg: Positive = Field(
        25.0,
        le=1e4,
        description="Mean hassle and shame of dumping a kg [EUR/kg]; set so that the status quo dumps a few kg "
        "per inhabitant a year (ADEME 2019: about 21 kg for all kinds of dumping).",
    )
    neighbour_bin_share: Share = Field(
        0.5,
        description="Share of dumped bagged waste put in a neighbour's bin rather than in the street when "
        "bins are chipped and charged per lift (002_2c516223579a919e.txt: both happen) [0-1].",
    )


class HouseholdWaste(_Section):
    """What households discard and how it is sorted."""

    kg_per_inhabitant_year: NonNeg = Field(
        615.0, le=MAX_KG_PER_INHABITANT_YEAR, description="Household waste [kg/inhabitant/yr] (INSEE 2021: 615)."
    )
    reusable_share: Share = Field(0.04, description="Share of waste that is reusable as is [0-1].")
    repairable_share: Share = Field(0.03, description="Share of waste that is repairable [0-1].")
    recyclable_share: Share = Field(
        0.55,
        description="Share of waste that can be sorted for recycling: packaging, paper and glass (selective "
        "collection, 20 % of collected household waste in 2021) and the recycling centre's recoverable flows "
        "(green waste, rubble, metals, wood, cardboard: most of its 40 %) (SDES, notre-environnement.gouv.fr) [0-1].",
    )
    biowaste_share: Share = Field(
        0.13,
        description="Share of waste that is food and kitchen waste, which can be composted: about a third of "
        "residual household waste (ADEME, MODECOM 2017), residual waste being 40 % of the total [0-1].",
    )
    effort: HouseholdEffort = Field(default_factory=lambda: HouseholdEffort())
    energy_recovery_share: Share = Field(
        0.6,
        description="Share of residual waste incinerated with energy recovery, the rest landfilled [0-1].",
    )

    @model_validator(mode="after")
    def _shares_fit(self) -> HouseholdWaste:
        total = self.reusable_share + self.repairable_share + self.recyclable_share + self.biowaste_share
        if total > 1.0 + 1e-12:
            raise ValueError(
                f"reusable_share + repairable_share + recyclable_share + biowaste_share must be <= 1 (got {total:g})"
            )
        return self

    @property
    def residual_share(self) -> float:
        """Share of waste no one can sort, compost or bring to the hub [0-1]."""
        return max(1.0 - self.reusable_share - self.repairable_share - self.recyclable_share - self.biowaste_share, 0.0)


class Hub(_Section):
    """The shared reuse-and-repair hub, an organisation of volunteers and staff
    (:mod:`commons_abm.materials.hub_organisation`; stocks and flows:
    :mod:`commons_abm.materials.repair_hub`)."""

    storage_kg: NonNeg = Field(1500.0, le=MAX_STORAGE_KG, description="Goods the hub can hold [kg].")
    repair_success_rate: Share = Field(
        0.7, description="Share of repaired goods that work again [0-1] (Repair Café: about 70 %)."
    )
    parts_recycled_share: Share = Field(
        0.5,
        description="Share of the goods the hub cannot repair that it takes apart and recycles; the rest goes "
        "to the residual stream [0-1] (assumption).",
    )
    initial_volunteer_share: Share = Field(
        0.02,
        description="Share of households volunteering at the hub at the start [0-1] (assumption: a repair "
        "café of about six volunteers for 300 households).",
    )
    target_open_hours: NonNeg = Field(
        4.0, le=24, description="Hours a day the hub means to be open [h/day] (assumption: 28 hours a week)."
    )
    hours_per_session: NonNeg = Field(
        3.0, le=24, description="Hours a volunteer gives when it comes [h] (a repair café session: 3-4 h)."
    )
    fatigue_per_session: Share = Field(0.05, description="Stamina a session costs a volunteer [0-1] (assumption).")
    recovery_per_day: Share = Field(
        0.02, description="Share of its lost stamina a volunteer recovers each day [0-1] (assumption)."
    )
    quit_below: Share = Field(0.3, description="Stamina under which a volunteer quits [0-1] (assumption).")
    recruit_per_day: Share = Field(
        0.0002,
        description="Chance per day that a fully cooperative household starts volunteering [1/day] (assumption).",
    )
    wage_eur_per_hour: NonNeg = Field(
        20.0, le=1000, description="A staff hour, with employer's charges [EUR/h] (about the French minimum wage)."
    )
    max_staff_hours: NonNeg = Field(14.0, le=1000, description="Staff hours the hub can use per day [h/day].")
    buffer_days: Positive = Field(
        60.0, le=3650, description="Days of wages the hub keeps in hand before it pays staff hours [days]."
    )
    people_per_open_hour: Positive = Field(2.0, le=100, description="People needed to keep the hub open an hour [-].")
    intake_kg_per_hour: NonNeg = Field(
        10.0, le=MAX_KG_PER_DAY, description="Goods taken in per open hour [kg/h] (assumption)."
    )
    sales_kg_per_hour: NonNeg = Field(
        4.0, le=MAX_KG_PER_DAY, description="Goods sold back into use per open hour [kg/h] (assumption)."
    )
    repair_share: Share = Field(0.5, description="Share of the hub's hours spent repairing [0-1].")
    repair_kg_per_hour: NonNeg = Field(
        1.0,
        le=MAX_KG_PER_DAY,
        description="Goods repaired per repairing hour [kg/h] (a repair café: about 25 items in a 4-hour "
        "session with some 20 volunteers, of a few kg each).",
    )
    sale_eur_per_kg: NonNeg = Field(
        1.0, le=MAX_EUR_PER_KG, description="Price of a reused good at the hub [EUR/kg] (assumption)."
    )
    fixed_eur_per_day: NonNeg = Field(10.0, le=1e6, description="Rent, insurance and tools [EUR/day] (assumption).")


class FirmMatching(_Section):
    """How firms' by-product matches form, deliver and break
    (:mod:`commons_abm.materials.byproduct_matches`)."""

    compatible_share: Share = Field(
        0.15,
        description="Share of (seller, buyer) pairs of firms whose by-product and input are of the same kind "
        "where the by-product meets the buyer's technical specifications [0-1] (assumption).",
    )
    tie_discovery_per_day: Share = Field(
        1 / 30,
        description="Chance that two tied firms find, on a given day, a match between the by-product of one "
        "and the input of the other [1/day] (assumption: within a month or so of talking).",
    )
    setup_cost_eur: NonNeg = Field(
        2000.0,
        le=1e7,
        description="Cost of setting up a match: tests, contract, logistics [EUR] (assumption; "
        "003_d0cbea24b0b91578.txt: the cost of cooperation is over-valued, its return is not immediate).",
    )
    payback_days: Positive = Field(
        90.0, le=3650, description="Time firms give a match to pay back its set-up cost [days] (assumption)."
    )
    transaction_eur_per_kg: NonNeg = Field(
        0.25,
        le=MAX_EUR_PER_KG,
        description="Mean cost of handling a kg of by-product between two firms: sorting, storing, "
        "transport [EUR/kg] (assumption).",
    )
    break_per_day: Share = Field(
        1 / 90, description="Chance that a match with no trust left breaks on a given day [1/day] (assumption)."
    )


class FirmMaterials(_Section):
    """Firms' material inputs and by-products (industrial symbiosis, ``002_2c516223579a919e.txt``)."""

    input_kg_per_day: NonNeg = Field(250.0, le=MAX_KG_PER_DAY, description="Mean material input of a firm [kg/day].")
    byproduct_kg_per_day: NonNeg = Field(60.0, le=MAX_KG_PER_DAY, description="Mean by-product of a firm [kg/day].")
    material_types: int = Field(
        3,
        ge=1,
        le=1000,
        description="Kinds of material; a by-product substitutes only an input of its kind [count].",
    )
    symbiosis: bool = Field(True, description="Whether firms take by-products from firms they are tied to.")
    byproduct_recycling_share: Share = Field(
        0.7, description="Share of by-products not exchanged that is recycled [0-1]."
    )
    matching: FirmMatching = Field(default_factory=lambda: FirmMatching())


class MaterialCosts(_Section):
    """Cost of each route of the waste hierarchy, paid by whoever sends material down it."""

    reuse_eur_per_kg: float = Field(0.0, ge=-100, le=100, description="Reuse [EUR/kg].")
    repair_eur_per_kg: float = Field(0.1, ge=-100, le=100, description="Repair [EUR/kg].")
    recycling_eur_per_kg: float = Field(0.08, ge=-100, le=100, description="Recycling [EUR/kg].")
    recovery_eur_per_kg: float = Field(0.12, ge=-100, le=100, description="Energy recovery [EUR/kg].")
    landfill_eur_per_kg: float = Field(0.15, ge=-100, le=100, description="Landfill incl. the TGAP tax [EUR/kg].")
    dumping_eur_per_kg: float = Field(
        0.5, ge=-100, le=100, description="Clean-up of dumped waste, paid by the commune [EUR/kg]."
    )
    virgin_eur_per_kg: NonNeg = Field(0.6, le=MAX_EUR_PER_KG, description="Virgin material bought by firms [EUR/kg].")
    secondary_eur_per_kg: NonNeg = Field(
        0.2, le=MAX_EUR_PER_KG, description="By-product bought from another firm [EUR/kg]."
    )


class Materials(_Section):
    """End-of-life goods and by-products down the waste hierarchy."""

    households: HouseholdWaste = Field(default_factory=HouseholdWaste)
    hub: Hub = Field(default_factory=Hub)
    firms: FirmMaterials = Field(default_factory=FirmMaterials)
    costs: MaterialCosts = Field(default_factory=MaterialCosts)
    daily_cv: NonNeg = Field(0.2, le=2, description="Day-to-day variation of waste and by-products [-].")


# --------------------------------------------------------------------------- behaviour
class MotiveMix(_Section):
    """Shares of social value orientations in one kind of actor (``000_027160d2fbf9a985.txt``,
    after Davis, Laughlin & Komorita 1976; default shares from Van Lange et al. 1997: 46 %
    prosocial, 38 % individualistic, 12 % competitive, the rest unclassified, here 'mixed')."""

    cooperative: Share = Field(0.46, description="Share weighting the group's payoff [0-1].")
    individualistic: Share = Field(0.38, description="Share weighting only their own payoff [0-1].")
    competitive: Share = Field(0.12, description="Share weighting their payoff relative to others' [0-1].")
    mixed: Share = Field(0.04, description="Share with a weight drawn between competitive and cooperative [0-1].")

    @model_validator(mode="after")
    def _sum_to_one(self) -> MotiveMix:
        total = self.cooperative + self.individualistic + self.competitive + self.mixed
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"motive shares must add up to 1 (got {total:g})")
        return self


class FirmMotives(MotiveMix):
    """Firms: more individualistic and competitive than households."""

    cooperative: Share = Field(0.25, description="Share weighting the group's payoff [0-1].")
    individualistic: Share = Field(0.45, description="Share weighting only their own payoff [0-1].")
    competitive: Share = Field(0.25, description="Share weighting their payoff relative to others' [0-1].")
    mixed: Share = Field(0.05, description="Share with a weight drawn between competitive and cooperative [0-1].")


class OfficialMotives(MotiveMix):
    """Officials: public-service motivation tilts them toward the group."""

    cooperative: Share = Field(0.6, description="Share weighting the group's payoff [0-1].")
    individualistic: Share = Field(0.3, description="Share weighting only their own payoff [0-1].")
    competitive: Share = Field(0.05, description="Share weighting their payoff relative to others' [0-1].")
    mixed: Share = Field(0.05, description="Share with a weight drawn between competitive and cooperative [0-1].")


class Motives(_Section):
    """Social value orientation mix per kind of actor."""

    households: MotiveMix = Field(default_factory=MotiveMix)
    firms: FirmMotives = Field(default_factory=FirmMotives)
    officials: OfficialMotives = Field(default_factory=OfficialMotives)
    group_weight_cooperative: float = Field(
        1.0, ge=-2, le=2, description="Weight a cooperative agent puts on the group's payoff [-]."
    )
    group_weight_competitive: float = Field(
        -0.5,
        ge=-2,
        le=2,
        description="Weight a competitive agent puts on the group's payoff "
        "(negative: others' gains count as own losses) [-].",
    )


class ConditionalCooperation(_Section):
    """Dispositions to cooperate as a function of others' expected cooperation
    (Fischbacher, Gächter & Fehr 2001: 50 % conditional cooperators, 30 % free riders,
    14 % hump-shaped, 6 % other). Defaults: fitted to lab experiments where
    ``commons_abm/data/calibrated_behaviour.toml`` lists the field (:mod:`commons_abm.core.calibrated`)."""

    conditional: Share = Field(
        calibrated("conditional_cooperation", "conditional", 0.50),
        description="Share of conditional cooperators [0-1].",
    )
    free_rider: Share = Field(
        calibrated("conditional_cooperation", "free_rider", 0.30), description="Share of free riders [0-1]."
    )
    hump_shaped: Share = Field(
        calibrated("conditional_cooperation", "hump_shaped", 0.14),
        description="Share of hump-shaped cooperators [0-1].",
    )
    other: Share = Field(
        calibrated("conditional_cooperation", "other", 0.06), description="Share of other patterns [0-1]."
    )
    slope: float = Field(
        calibrated("conditional_cooperation", "slope", 0.8),
        ge=0,
        le=2,
        description="Conditional cooperators' cooperation per unit of expected "
        "cooperation of others; below 1 (Fischbacher & Gächter 2010) [-].",
    )
    other_level: Share = Field(0.35, description="Cooperation of the 'other' type, whatever others do [0-1].")

    @model_validator(mode="after")
    def _sum_to_one(self) -> ConditionalCooperation:
        total = self.conditional + self.free_rider + self.hump_shaped + self.other
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"type shares must add up to 1 (got {total:g})")
        return self


class Decisions(_Section):
    """How cooperation is decided each day."""

    motive_weight: float = Field(
        0.15, ge=0, le=1, description="Cooperation added per unit of group weight (motive) [0-1]."
    )
    legitimacy_weight: float = Field(
        0.3,
        ge=0,
        le=2,
        description="Cooperation added per unit of institutional trust, "
        "times the legitimacy of the rules (Tyler 1990) [-].",
    )
    belief_rate: float = Field(
        0.15, gt=0, le=1, description="Rate at which expected cooperation follows what is observed [0-1]."
    )
    public_information: Share = Field(
        0.3,
        description="Weight of the community-wide cooperation rate, against trusted "
        "neighbours, in what an agent observes [0-1].",
    )
    trust_weighted_attention: Share = Field(
        0.15,
        description="How much an agent's attention to each neighbour's behaviour follows "
        "its trust in that neighbour: weight (1 - this) + this x trust (conformity to trusted "
        "neighbours) [0-1].",
    )
    trust_slows_decline: Share = Field(
        0.8,
        description="How much interpersonal trust slows the fall of expected cooperation: "
        "the downward rate is belief_rate x (1 - this x trust) [0-1].",
    )
    deterrence_noise: Positive = Field(
        calibrated("decisions", "deterrence_noise", 0.3),
        le=10,
        description="Spread of the response to expected sanctions, relative to the "
        "temptation [-]; default fitted to lab public goods games (calibration/fitted.toml).",
    )
    crowding_out: Share = Field(
        0.3,
        description="Share of intrinsic cooperation lost under top-down monitoring by "
        "controlling officials (Frey & Jegen 2001) [0-1].",
    )
    obligation_weight: Share = Field(
        0.2,
        description="How far a rule that binds a decision, sanctioned or not, moves what the agent expects of "
        "others toward compliance, per unit of its institutional trust: the expressive effect of an "
        "obligation (Galbiati & Vertova 2008; Funk 2007; McAdams 2000); an assumption, not fitted [0-1].",
    )
    disposition_correlation: Share = Field(
        0.3,
        description="Correlation of one agent's daily draws across its decisions (its battery "
        "claim, its fee, dumping): a shared disposition of the day; moderate, as the correlation "
        "of one person's environmental behaviours across domains (Thogersen & Olander 2003) [0-1].",
    )
    overdraw_factor: float = Field(
        1.0,
        ge=0,
        le=10,
        description="Extra claim on pooled energy of a member who overdraws, relative to their allocated weight [-].",
    )
    initial_belief: Share = Field(0.6, description="Expected cooperation of others at the start [0-1].")


class TrustDynamics(_Section):
    """Updating of interpersonal and institutional trust."""

    interpersonal_gain: Share = Field(
        0.02, description="Rise of trust toward (1) after observing cooperation [0-1 per day]."
    )
    interpersonal_loss: Share = Field(
        0.04,
        description="Fall of trust toward (0) after observing defection; larger than the "
        "gain: trust falls faster than it rises (Slovic 1993) [0-1 per day].",
    )
    institutional_gain: Share = Field(
        0.02, description="Rise of institutional trust per unit of positive signal [0-1]."
    )
    institutional_loss: Share = Field(
        0.08, description="Fall of institutional trust per unit of negative signal [0-1]."
    )
    observed_compliance_weight: float = Field(
        0.5,
        ge=0,
        le=5,
        description="Weight, in members' daily institutional signal, of the "
        "compliance they see in their assembly (Levi 1988; Rothstein 2005) [-].",
    )
    wrongful_sanction_loss: Share = Field(
        0.25, description="Fall of the victim's institutional trust after a wrongful sanction [0-1]."
    )
    override_loss: Share = Field(
        0.15, description="Fall of members' institutional trust when officials override their rules [0-1]."
    )
    confirmation_bias: Share = Field(
        0.2, description="Extra weight of evidence that confirms a prior, and less weight of evidence against it [0-1]."
    )
    authority_bias: Share = Field(
        0.2,
        description="How much officials' acts move institutional trust less when they "
        "disappoint and more when they please (deference to authority) [0-1].",
    )
    meeting_gain: Share = Field(0.05, description="Rise of trust between tied members who meet [0-1 per meeting].")
    affective_forgiveness: Share = Field(
        0.5,
        description="Share of the fall of trust after a defection that an affective tie spares: friends and "
        "kin forgive more (strong ties, Granovetter 1973; assumption for the size) [0-1].",
    )
    presence_gain: Share = Field(
        0.05,
        description="Rise of a member's institutional trust toward 1 at a meeting officials come to: "
        "members see them listen (assumption, the size of meeting_gain) [0-1 per meeting].",
    )


class Participation(_Section):
    """Joining, staying and attending meetings."""

    attendance_base: float = Field(
        -0.5, ge=-10, le=10, description="Log-odds of attending a meeting for an average member [-]."
    )
    attendance_satisfaction: float = Field(
        2.0, ge=0, le=20, description="Log-odds per unit of satisfaction above 0.5 [-]."
    )
    attendance_trust: float = Field(
        2.0, ge=0, le=20, description="Log-odds per unit of institutional trust above 0.5 [-]."
    )
    attendance_habit: float = Field(
        1.5, ge=0, le=20, description="Log-odds for a member who attended the previous meeting [-]."
    )
    participation_cost: float = Field(
        1.0,
        ge=0,
        le=20,
        description="Log-odds lost to the cost of taking part, which members over-estimate "
        "(`003_d0cbea24b0b91578.txt`) [-].",
    )
    group_size_cost: float = Field(
        0.3, ge=0, le=5, description="Log-odds lost per doubling of the assembly beyond 20 members (Olson 1965) [-]."
    )
    review_days: int = Field(30, ge=1, le=3650, description="Mean days between membership reviews [days].")
    join_threshold: Share = Field(
        0.55, description="Expected satisfaction above which a non-member joins at a review [0-1]."
    )
    leave_threshold: Share = Field(0.35, description="Satisfaction below which a member leaves at a review [0-1].")


class SatisfactionDynamics(_Section):
    """Satisfaction: benefit in return for commitments, short and long run
    (``000_027160d2fbf9a985.txt``)."""

    short_rate: Share = Field(0.1, description="Weight of today in the short-run satisfaction [0-1].")
    long_rate: Share = Field(0.01, description="Weight of today in the long-run satisfaction [0-1].")
    long_run_weight: Share = Field(0.5, description="Weight of the long run in satisfaction [0-1].")
    benefit_scale_eur_per_day: Positive = Field(
        0.5, le=1000, description="Net daily gain that makes a member clearly satisfied [EUR/day]."
    )
    fairness_weight: float = Field(
        1.0, ge=0, le=10, description="Weight of the fairness of allocation against contribution [-]."
    )


class CollectiveBiases(_Section):
    """Biases of collective decision (``000_027160d2fbf9a985.txt``: "conformisme, pensée de groupe,
    effet de savoir commun, polarisation, biais de confirmation, biais d'autorité"), at meetings
    (:mod:`commons_abm.governance.collective_choice`). Conformity, confirmation and authority bias
    are ``decisions.trust_weighted_attention``, ``trust.confirmation_bias`` and
    ``trust.authority_bias``. These three are off by default: their strength at a community's
    meetings has not been measured; switch them on to study them."""

    groupthink: Share = Field(
        0.0,
        description="Share of the breaches a cohesive assembly does not see when it votes, times its "
        "cohesion (the mean trust on ties between attendees): the illusion of unanimity and "
        "invulnerability of cohesive groups (Janis 1972) [0-1].",
    )
    common_knowledge: Share = Field(
        0.0,
        description="Weight, in what attendees come to expect after talking, of what all of them knew "
        "before (the community-wide cooperation), against the intentions each brings: shared "
        "information dominates group discussion (Gigone & Hastie 1993) [0-1].",
    )
    polarisation: Share = Field(
        0.0,
        description="How far talk pushes attendees' expectations beyond their group's average, away from "
        "1/2 on the side the group leans: group polarisation (Moscovici & Zavalloni 1969; Myers & "
        "Lamm 1976) [0-1].",
    )


class Behaviour(_Section):
    """Motives, decisions, trust, participation and satisfaction."""

    initial_trust_interpersonal: Share = Field(0.5, description="Trust on each tie at the start [0-1].")
    initial_trust_institutional: Share = Field(
        0.5, description="Each agent's trust in the rules, operator and officials at the start [0-1]."
    )
    initial_satisfaction: Share = Field(0.5, description="Each agent's satisfaction at the start [0-1].")
    motives: Motives = Field(default_factory=Motives)
    conditional_cooperation: ConditionalCooperation = Field(default_factory=ConditionalCooperation)
    decisions: Decisions = Field(default_factory=Decisions)
    trust: TrustDynamics = Field(default_factory=TrustDynamics)
    participation: Participation = Field(default_factory=Participation)
    satisfaction: SatisfactionDynamics = Field(default_factory=SatisfactionDynamics)
    biases: CollectiveBiases = Field(default_factory=CollectiveBiases)


# ------------------------------------------------------------------------------- rules
class Rules(_Section):
    """Community rules of the energy commons."""

    rulebook: str | None = Field(
        None,
        description="Path of a rulebook file (relative to the scenario file); none: the "
        "fields below apply as they are.",
    )
    membership_share: Share = Field(
        0.4, description="Share of actors that are members of the energy community at the start [0-1]."
    )
    boundary: Literal["members_only", "open_access"] = Field(
        "members_only", description="Who may draw from the pool and the battery (design principle 1)."
    )
    allocation_key: Literal["static", "equal", "pro_rata_consumption", "pro_rata_contribution", "needs_first"] = Field(
        "pro_rata_consumption", description="How pooled energy is shared (design principle 2)."
    )


# --------------------------------------------------------------------------- officials
class StanceRates(_Section):
    """A rate for each stance of the officials [1/yr]."""

    ally: NonNeg = Field(le=365, description="Under an ally stance [1/yr].")
    distant: NonNeg = Field(le=365, description="Under a distant stance [1/yr].")
    controller: NonNeg = Field(le=365, description="Under a controlling stance [1/yr].")


class StanceShares(_Section):
    """A share for each stance of the officials [0-1]."""

    ally: Share = Field(description="Under an ally stance [0-1].")
    distant: Share = Field(description="Under a distant stance [0-1].")
    controller: Share = Field(description="Under a controlling stance [0-1].")


class Officials(_Section):
    """What officials do under each stance (:mod:`commons_abm.governance.officials`;
    ``003_d0cbea24b0b91578.txt``: "soutenir sans étouffer"). The values are assumptions
    that order the stances; the rulebook sets the stance, elections change it."""

    act: bool = Field(
        True,
        description="Whether officials act of their own (override, come to meetings, fund, take part in "
        "rule decisions); false: they do nothing but what the rulebook says, and stance and posture "
        "change nothing (a control for experiments).",
    )
    overrides_per_year: StanceRates = Field(
        default_factory=lambda: StanceRates(ally=0.25, distant=0.5, controller=2.0),
        description="Expected overrides of the community's rules a year, unless officials recognise "
        "them (principle 7) or the rulebook states its own rate (override_rules) [1/yr].",
    )
    meeting_attendance: StanceShares = Field(
        default_factory=lambda: StanceShares(ally=0.8, distant=0.2, controller=0.0),
        description="Chance that officials come to a members' meeting [0-1].",
    )
    hub_funding: StanceShares = Field(
        default_factory=lambda: StanceShares(ally=1.0, distant=1.0, controller=0.0),
        description="Share of the rulebook's subsidy to the reuse-and-repair hub (fund_hub) the commune "
        "pays: a controller cuts it [0-1].",
    )
    facilitator_funding: StanceShares = Field(
        default_factory=lambda: StanceShares(ally=1.0, distant=0.0, controller=0.0),
        description="Share of the facilitator's daily cost (facilitate) the commune pays; the community's "
        "account pays the rest [0-1].",
    )


# --------------------------------------------------------------------------------- run
class Run(_Section):
    """How long to run and with which seed."""

    steps: int = Field(365, ge=1, le=1_000_000, description="Simulated days [steps].")
    seed: int = Field(42, ge=0, le=2**63 - 1, description="Seed of every random draw.")
    world_seed: int | None = Field(
        None,
        ge=0,
        le=2**63 - 1,
        description="Seed of the world's random streams (the territory, its network, weather and demand) when "
        "they should differ from the rest (behaviour, governance, materials): sweeps with common random numbers "
        "set it to share a replicate's territory across samples; default: run.seed.",
    )


class Scenario(_Section):
    """A whole scenario."""

    name: str = Field("scenario", description="A short name for outputs and figures.")
    territory: Territory = Field(default_factory=Territory)
    network: NetworkSpec = Field(default_factory=NetworkSpec)
    energy: Energy = Field(default_factory=Energy)
    materials: Materials = Field(default_factory=Materials)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    rules: Rules = Field(default_factory=Rules)
    officials: Officials = Field(default_factory=Officials)
    run: Run = Field(default_factory=Run)
    source_file: Path | None = Field(None, exclude=True, description="The file this scenario was read from, if any.")

    @model_validator(mode="after")
    def _members_batteries_shared(self) -> Scenario:
        own = sum(row.battery_kwh for row in self.territory.members or ())
        if own > self.energy.battery.capacity_kwh:
            raise ValueError(
                f"energy.battery.capacity_kwh = {self.energy.battery.capacity_kwh:g} is less than the members' own "
                f"batteries ({own:g} kWh), which the shared battery includes; allowed: at least {own:g}"
            )
        return self

    @property
    def n_agents(self) -> int:
        """Total number of agents."""
        t = self.territory
        return t.households + t.firms + t.officials

    @property
    def base_dir(self) -> Path | None:
        """Folder that relative paths in the scenario are resolved against."""
        return self.source_file.parent if self.source_file is not None else None

    @property
    def source(self) -> str:
        """The scenario's file name for error messages."""
        return str(self.source_file) if self.source_file is not None else "<scenario>"

    def resolve(self, relative: str) -> Path:
        """Resolve a path given in the scenario against the scenario file's folder."""
        path = Path(relative)
        if path.is_absolute() or self.base_dir is None:
            return path
        return self.base_dir / path


def _shipped(kind: str) -> list[Path]:
    """The folders of shipped ``kind`` files (``scenarios``, ``rulebooks``): the source
    tree's ``experiments/<kind>/``, then the current folder's."""
    here = Path(__file__).resolve()
    return [
        root / "experiments" / kind for root in (here.parents[3], Path.cwd()) if (root / "experiments" / kind).is_dir()
    ]


def default_scenario_path() -> Path | None:
    """The shipped default scenario file (a French neighbourhood), if this is a source tree.

    Its values are the schema's defaults, so ``Scenario()`` is the same scenario.
    """
    for folder in _shipped("scenarios"):
        if (folder / "default.toml").is_file():
            return folder / "default.toml"
    return None


def resolve_named(value: str | Path, kind: str) -> Path:
    """A file given by path, or by the name of a shipped one (``"full_ostrom"`` for
    ``experiments/rulebooks/full_ostrom.toml`` when ``kind`` is ``"rulebooks"``).

    Raises :class:`~commons_abm.core.errors.InputError` for a bare name that is no shipped file.
    """
    path = Path(value)
    if isinstance(value, Path) or path.suffix or len(path.parts) > 1 or path.is_file():
        return path
    for folder in _shipped(kind):
        if (folder / f"{value}.toml").is_file():
            return folder / f"{value}.toml"
    raise InputError(
        str(value),
        None,
        f"no such file, nor a shipped {kind[:-1]} (shipped: {', '.join(shipped_names(kind)) or 'none found'})",
    )


def scenario_value(scenario: Scenario, path: str) -> Any:
    """The value of the dotted field ``path`` of ``scenario`` (``"network.average_degree"``)."""
    node: Any = scenario
    for key in path.split("."):
        node = getattr(node, key)
    return node


def shipped_names(kind: str) -> list[str]:
    """The names of the shipped ``kind`` files (``scenarios``, ``rulebooks``), sorted."""
    return sorted({p.stem for folder in _shipped(kind) for p in folder.glob("*.toml")})


def load_scenario(path: str | Path | None = None, **overrides: object) -> Scenario:
    """Read and validate a scenario file; ``None`` loads the shipped default.

    Raises :class:`~commons_abm.core.errors.InputError` naming the file and the field.
    """
    if path is None:
        path = default_scenario_path()
        if path is None:
            return scenario_from_dict({"name": "default"}, source="<default scenario>", **overrides)
    path = Path(path)
    return scenario_from_dict(read_toml(path, "scenario"), source=path, **overrides)


def scenario_from_dict(data: dict, source: str | Path = "<scenario>", **overrides: object) -> Scenario:
    """Validate a scenario given as a dictionary (as parsed from TOML)."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        field, message = describe_validation_error(exc, Scenario)
        raise InputError(source, field, message) from None
    if Path(str(source)).is_file():
        scenario.source_file = Path(source).resolve()
    if overrides:
        scenario = with_overrides(scenario, source=source, **overrides)
    return scenario


def with_overrides(scenario: Scenario, source: str | Path | None = None, **overrides: object) -> Scenario:
    """A copy of ``scenario`` with dotted-path overrides, e.g. ``{"run.steps": 10}``."""
    source = source if source is not None else scenario.source
    data = scenario.model_dump()
    for dotted, value in overrides.items():
        if isinstance(value, np.generic):  # a sampled value: the Python number it stands for
            value = value.item()
        keys = dotted.replace("__", ".").split(".")
        node = data
        for key in keys[:-1]:
            if not isinstance(node.get(key), dict):
                raise InputError(source, dotted, "no such section")
            node = node[key]
        node[keys[-1]] = value
    try:
        new = Scenario.model_validate(data)
    except ValidationError as exc:
        field, message = describe_validation_error(exc, Scenario)
        raise InputError(source, field, message) from None
    new.source_file = scenario.source_file
    return new


def _allowed(info) -> str:
    """The values a field allows, in words."""
    annotation = info.annotation
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in get_args(annotation))
    bounds = []
    metadata = list(info.metadata)
    for arg in get_args(annotation):  # Annotated aliases such as Share
        metadata.extend(getattr(arg, "metadata", []))
    for item in metadata:
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            value = getattr(item, attr, None)
            if value is not None:
                bounds.append(f"{sign} {value:g}")
    base = getattr(annotation, "__name__", str(annotation)).replace("typing.", "")
    if get_origin(annotation) is not None and get_args(annotation):
        base = " or ".join(getattr(a, "__name__", str(a)) for a in get_args(annotation) if a is not type(None)) + (
            " or none" if type(None) in get_args(annotation) else ""
        )
    return " ".join([base, ", ".join(bounds)]).strip()


def describe_fields(model: type[BaseModel] = Scenario, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """Every leaf field as ``(dotted name, default, allowed values, description)``."""
    rows: list[tuple[str, str, str, str]] = []
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        dotted = f"{prefix}{name}"
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            rows.extend(describe_fields(annotation, dotted + "."))
            continue
        default = info.get_default(call_default_factory=True)
        rows.append((dotted, repr(default), _allowed(info), info.description or ""))
    return rows
