"""The kinds of agent, as one table: what sets a kind apart is data here, not branches elsewhere.

Each row of :data:`KINDS` says, for one kind of actor of the territory, which scenario
sections describe it (its number, its energy, its motives), which daily load curve it
follows, what it does with materials and which proximity its ties carry. The mechanisms
read the table: the territory is built kind by kind in table order
(:mod:`commons_abm.territory.build`), demand follows ``load_curve``
(:mod:`commons_abm.territory.demand`), motives are drawn from ``motives``
(:mod:`commons_abm.behaviour.motives`), ties get ``proximity`` flags
(:mod:`commons_abm.territory.network`), and materials follow ``material_role``
(:mod:`commons_abm.materials.routing`). ``docs/contributing/add_an_agent_kind.md`` is the
recipe for adding a kind.

Sources: households, firms and officials as the territory's actors, and the proximity a
tie between them carries (institutional with an official, functional with a firm,
affective between households, geographic within a neighbourhood):
``000_027160d2fbf9a985.txt`` (Territoire E+C-).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np

from commons_abm.core.kernels import kernel

__all__ = [
    "DISCARDS_GOODS",
    "FIRM",
    "HOUSEHOLD",
    "KINDS",
    "KIND_NAMES",
    "LOAD_PROFILES",
    "MATERIAL_ROLES",
    "MATERIAL_ROLE_OF",
    "NO_MATERIAL_ROLE",
    "OFFICIAL",
    "TRADES_BYPRODUCTS",
    "Kind",
    "default_profile",
    "has_role",
    "kind_named",
    "resident_mask",
    "role_mask",
]

MaterialRole = Literal["discards_goods", "trades_byproducts", "none"]
MATERIAL_ROLES: tuple[str, ...] = ("discards_goods", "trades_byproducts", "none")
DISCARDS_GOODS, TRADES_BYPRODUCTS, NO_MATERIAL_ROLE = range(3)


class Kind(NamedTuple):
    """One kind of agent."""

    code: int  # its value in State.kind (its row in KINDS)
    name: str  # "household"
    count: str  # field of scenario.territory giving how many there are
    energy: str  # section of scenario.energy: its annual demand and PV
    motives: str  # section of scenario.behaviour.motives: its social value orientations
    load_curve: str  # key of territory.demand.LOAD_CURVES: its hourly shape and seasonality
    resident: bool  # a home of persons: persons, energy poverty, Observ'ER residential PV sizes
    material_role: MaterialRole  # discards end-of-life goods / uses material and gives off by-products / none
    proximity: str  # the proximity its ties may carry (core.state.PROXIMITY_NAMES)
    proximity_needs_both: bool  # only on ties between two agents of this kind (else: any tie with one)
    description: str


KINDS: tuple[Kind, ...] = (
    Kind(
        code=0,
        name="household",
        count="households",
        energy="households",
        motives="households",
        load_curve="residential",
        resident=True,
        material_role="discards_goods",
        proximity="affective",
        proximity_needs_both=True,
        description="consumes energy morning and evening, may own PV, discards goods",
    ),
    Kind(
        code=1,
        name="firm",
        count="firms",
        energy="firms",
        motives="firms",
        load_curve="business",
        resident=False,
        material_role="trades_byproducts",
        proximity="functional",
        proximity_needs_both=False,
        description="consumes energy in working hours, uses material, gives off by-products",
    ),
    Kind(
        code=2,
        name="official",
        count="officials",
        energy="public_buildings",
        motives="officials",
        load_curve="public_building",
        resident=False,
        material_role="none",
        proximity="institutional",
        proximity_needs_both=False,
        description="an elected or civil-service official, responsible for one public building",
    ),
)
assert all(kind.code == row for row, kind in enumerate(KINDS)), "a kind's code is its row"

KIND_NAMES: tuple[str, ...] = tuple(kind.name for kind in KINDS)

# The named load profiles, in the order of their columns in the demand tables: the kinds' load
# curves (keys of territory.demand.LOAD_CURVES), each once. A kind's own is its load_curve; a
# participant of a members list may name another (core.scenario.Member.load_profile).
LOAD_PROFILES: tuple[str, ...] = tuple(dict.fromkeys(kind.load_curve for kind in KINDS))


def kind_named(name: str) -> Kind:
    """The kind called ``name``."""
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise KeyError(f"no agent kind {name!r} (kinds: {', '.join(KIND_NAMES)})")


# The kinds the model's own rules and tests name (a kind added to the table needs no name here).
HOUSEHOLD, FIRM, OFFICIAL = (kind_named(name).code for name in ("household", "firm", "official"))

# Each kind's material role as a code (index into MATERIAL_ROLES), indexed by kind code:
# compiled kernels read it as a constant (MATERIAL_ROLE_OF[kind[i]] == DISCARDS_GOODS).
MATERIAL_ROLE_OF = np.array([MATERIAL_ROLES.index(k.material_role) for k in KINDS], dtype=np.int8)
MATERIAL_ROLE_OF.flags.writeable = False


@kernel
def has_role(kind, role):  # pragma: no cover - compiled
    """Which agents (by their ``kind`` codes) have the material role coded ``role``
    (an index into :data:`MATERIAL_ROLES`), for compiled kernels."""
    out = np.empty(kind.size, dtype=np.bool_)
    for i in range(kind.size):
        out[i] = MATERIAL_ROLE_OF[kind[i]] == role
    return out


def role_mask(kind: np.ndarray, role: MaterialRole) -> np.ndarray:
    """Which agents (by their ``kind`` codes) have the material ``role``."""
    return MATERIAL_ROLE_OF[np.asarray(kind)] == MATERIAL_ROLES.index(role)


def default_profile(kind: np.ndarray) -> np.ndarray:
    """Each agent's own load profile (by its ``kind`` codes): the column of its kind's
    ``load_curve`` in :data:`LOAD_PROFILES`."""
    own = np.array([LOAD_PROFILES.index(k.load_curve) for k in KINDS], dtype=np.int32)
    return own[np.asarray(kind)]


def resident_mask(kind: np.ndarray) -> np.ndarray:
    """Which agents (by their ``kind`` codes) are homes of persons."""
    return np.array([k.resident for k in KINDS], dtype=bool)[np.asarray(kind)]
