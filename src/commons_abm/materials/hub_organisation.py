"""The reuse-and-repair hub as an organisation: volunteers who tire, staff its money pays, opening hours, accounts.

A repair café is people who "se rencontrent périodiquement en un lieu déterminé ... où ils
peuvent réparer un objet qu'ils ont apporté, aidés par des volontaires"
(``002_2c516223579a919e.txt``); ressourceries and recycleries "reposent souvent sur
l'engagement de bénévoles, ... complétant le travail des salariés", whom they must recruit
and keep, and their resources are "subventions publiques" and "la vente de prestations",
volunteering being "une ressource non monétaire du compte d'exploitation"
(``003_d0cbea24b0b91578.txt``). Here the hub's capacity each day is the hours people give it:

**Volunteers** (per household: ``volunteer``, ``stamina`` in [0-1]). Each day, with two
uniforms per agent from the stream ``materials``:

    ask = min(1, max(target_open_hours x people_per_open_hour - staff_hours, 0) / (V x hours_per_session))
    a volunteer comes with probability stamina x ask and gives hours_per_session;
    stamina -= fatigue_per_session when it came; stamina += recovery_per_day (1 - stamina);
    it quits when stamina < quit_below;
    a household that is not one joins with probability recruit_per_day x q_i,

``V`` the number of volunteers at the start of the day: the fewer they are, the more often
each is asked to come, the faster they tire and quit ("comment éviter l'effet « toujours les
mêmes »", ``002_2c516223579a919e.txt``); staff hours relieve them.

``q_i`` its intrinsic cooperation of the day (:mod:`commons_abm.behaviour.waste_choices`);
a new volunteer starts rested.

**Staff.** The hub pays staff hours from its account ``A`` [EUR], set first each day: it
keeps ``buffer_days`` of wages in hand, ``staff_hours = min(max_staff_hours, max(A, 0) /
(wage x buffer_days))``.

**Opening hours and capacities.** With ``H = volunteer hours + staff hours``::

    open_hours = H / people_per_open_hour
    intake     = open_hours x intake_kg_per_hour        (goods it can take in)
    reuse      = open_hours x sales_kg_per_hour         (goods it can sell back into use)
    repair     = H x repair_share x repair_kg_per_hour  (goods it can repair)

**Accounts** [EUR/day]: ``A += subsidy (rule fund_hub) + the prices households pay at
intake + sale_price x reused - wage x staff_hours - fixed_cost``; volunteers' hours are
reported beside it, unpaid. **Goods it cannot repair**: the share ``parts_recycled_share``
is taken apart and recycled, the rest goes to the residual stream
(:mod:`commons_abm.materials.routing`).

:func:`volunteer_day` is the one-household form that :func:`volunteers_day` applies to
everyone and the reference engine's households call one at a time; :func:`hub_capacity`
and :func:`hub_account` are the hub's own day, one call in both engines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from commons_abm.core.kernels import kernel
from commons_abm.core.kinds import DISCARDS_GOODS, MATERIAL_ROLE_OF

if TYPE_CHECKING:
    from commons_abm.core.scenario import Scenario
    from commons_abm.core.state import State
    from commons_abm.governance.institutions import Institutions

__all__ = [
    "HubOrganisation",
    "HubStaffing",
    "VolunteerDay",
    "first_volunteers",
    "hub_account",
    "hub_capacity",
    "organisation_parameters",
    "staff_hours",
    "volunteer_ask",
    "volunteer_day",
    "volunteers_day",
]


class HubOrganisation(NamedTuple):
    """The hub's people and money, as its kernels take them (:func:`organisation_parameters`
    reads the scenario's hub and the rulebook's ``fund_hub``)."""

    target_open_hours: float  # hours a day the hub means to be open [h/day]
    hours_per_session: float  # hours a volunteer gives when it comes [h]
    fatigue_per_session: float  # stamina a session costs [0-1]
    recovery_per_day: float  # share of its lost stamina a volunteer recovers each day [0-1]
    quit_below: float  # stamina under which a volunteer quits [0-1]
    recruit_per_day: float  # chance per day that a fully cooperative household joins [1/day]
    wage_eur_per_hour: float  # a staff hour, with charges [EUR/h]
    max_staff_hours: float  # staff hours the hub can use per day [h/day]
    buffer_days: float  # days of wages the hub keeps in hand before hiring [days]
    people_per_open_hour: float  # people needed to keep it open an hour [-]
    intake_kg_per_hour: float  # goods taken in per open hour [kg/h]
    sales_kg_per_hour: float  # goods sold back into use per open hour [kg/h]
    repair_share: float  # share of the hours spent repairing [0-1]
    repair_kg_per_hour: float  # goods repaired per repairing hour [kg/h]
    subsidy_eur_per_day: float  # public money (rule fund_hub) [EUR/day]
    sale_eur_per_kg: float  # price of a reused good [EUR/kg]
    fixed_eur_per_day: float  # rent, insurance, tools [EUR/day]


class VolunteerDay(NamedTuple):
    """One household's day at the hub (:func:`volunteer_day`)."""

    volunteer: bool  # a volunteer at the end of the day
    stamina: float  # its stamina at the end of the day [0-1]
    hours: float  # hours it gave today [h]


class HubStaffing(NamedTuple):
    """The hub's people and capacities of the day (:func:`hub_capacity`)."""

    volunteer_hours: float  # [h]
    staff_hours: float  # [h]
    open_hours: float  # [h]
    intake_kg_per_day: float  # [kg/day]
    reuse_demand_kg_per_day: float  # [kg/day]
    repair_kg_per_day: float  # [kg/day]


@kernel
def volunteer_day(role, q, volunteer, stamina, ask, u_come, u_join, p):  # pragma: no cover - compiled
    """One agent's day as a volunteer (see the module docstring; ``q``: its intrinsic
    cooperation today; ``ask``: how often volunteers are asked to come today, :func:`volunteer_ask`;
    ``u_come``, ``u_join``: its two uniforms), as :class:`VolunteerDay`."""
    if role != DISCARDS_GOODS:
        return VolunteerDay(False, stamina, 0.0)
    if not volunteer:
        if u_join < p.recruit_per_day * q:
            return VolunteerDay(True, 1.0, 0.0)
        return VolunteerDay(False, stamina, 0.0)
    hours = 0.0
    if u_come < stamina * ask:
        hours = p.hours_per_session
        stamina = max(stamina - p.fatigue_per_session, 0.0)
    stamina += p.recovery_per_day * (1.0 - stamina)
    if stamina < p.quit_below:
        return VolunteerDay(False, stamina, hours)
    return VolunteerDay(True, stamina, hours)


@kernel
def volunteers_day(role, q, volunteer, stamina, staff, u, p):  # pragma: no cover - compiled
    """:func:`volunteer_day` of every agent, in place on ``volunteer`` and ``stamina``
    (``staff``: today's staff hours; ``u`` of shape ``(2, n)``); returns the hours given [h]."""
    ask = volunteer_ask(volunteer.sum(), staff, p)
    total = 0.0
    for i in range(role.size):
        day = volunteer_day(role[i], q[i], volunteer[i], stamina[i], ask, u[0, i], u[1, i], p)
        volunteer[i] = day.volunteer
        stamina[i] = day.stamina
        total += day.hours
    return total


@kernel
def staff_hours(account_eur, p):  # pragma: no cover - compiled
    """The staff hours the hub pays today from its account [h]."""
    if not (p.wage_eur_per_hour > 0.0 and p.buffer_days > 0.0):
        return 0.0
    return min(p.max_staff_hours, max(account_eur, 0.0) / (p.wage_eur_per_hour * p.buffer_days))


@kernel
def volunteer_ask(volunteers, staff, p):  # pragma: no cover - compiled
    """How often each of the ``volunteers`` is asked to come today [0-1]: the hours the hub
    needs beyond its ``staff`` hours, over what they would give if all came."""
    if volunteers <= 0 or not p.hours_per_session > 0.0:
        return 0.0
    needed = max(p.target_open_hours * p.people_per_open_hour - staff, 0.0)
    return min(1.0, needed / (volunteers * p.hours_per_session))


@kernel
def hub_capacity(volunteer_hours, staff, p):  # pragma: no cover - compiled
    """The day's opening hours and capacities from the volunteers' and staff hours, as
    :class:`HubStaffing`."""
    hours = volunteer_hours + staff
    open_hours = hours / p.people_per_open_hour if p.people_per_open_hour > 0.0 else 0.0
    return HubStaffing(
        volunteer_hours=volunteer_hours,
        staff_hours=staff,
        open_hours=open_hours,
        intake_kg_per_day=open_hours * p.intake_kg_per_hour,
        reuse_demand_kg_per_day=open_hours * p.sales_kg_per_hour,
        repair_kg_per_day=hours * p.repair_share * p.repair_kg_per_hour,
    )


@kernel
def hub_account(account_eur, fees_eur, reused_kg, staff_hours, funding, p):  # pragma: no cover - compiled
    """The hub's account at the end of the day [EUR]: the share ``funding`` of the subsidy
    the commune pays (:mod:`commons_abm.governance.officials`), the prices households paid
    at intake (``fees_eur``) and sales of ``reused_kg``, less wages and fixed costs."""
    income = funding * p.subsidy_eur_per_day + fees_eur + p.sale_eur_per_kg * reused_kg
    return account_eur + income - p.wage_eur_per_hour * staff_hours - p.fixed_eur_per_day


def first_volunteers(state: State, scenario: Scenario, rng: np.random.Generator) -> None:
    """Draw the hub's volunteers at the start: each household with probability
    ``initial_volunteer_share`` (one uniform per agent from ``rng``), rested."""
    households = MATERIAL_ROLE_OF[state.kind] == DISCARDS_GOODS
    state.volunteer[:] = (rng.random(state.n) < scenario.materials.hub.initial_volunteer_share) & households
    state.volunteer_stamina[:] = 1.0


def organisation_parameters(scenario: Scenario, inst: Institutions) -> HubOrganisation:
    """The hub's people and money, from the scenario's hub and the rulebook's ``fund_hub``."""
    h = scenario.materials.hub
    return HubOrganisation(
        target_open_hours=float(h.target_open_hours),
        hours_per_session=float(h.hours_per_session),
        fatigue_per_session=float(h.fatigue_per_session),
        recovery_per_day=float(h.recovery_per_day),
        quit_below=float(h.quit_below),
        recruit_per_day=float(h.recruit_per_day),
        wage_eur_per_hour=float(h.wage_eur_per_hour),
        max_staff_hours=float(h.max_staff_hours),
        buffer_days=float(h.buffer_days),
        people_per_open_hour=float(h.people_per_open_hour),
        intake_kg_per_hour=float(h.intake_kg_per_hour),
        sales_kg_per_hour=float(h.sales_kg_per_hour),
        repair_share=float(h.repair_share),
        repair_kg_per_hour=float(h.repair_kg_per_hour),
        subsidy_eur_per_day=float(inst.hub_subsidy_eur_per_day),
        sale_eur_per_kg=float(h.sale_eur_per_kg),
        fixed_eur_per_day=float(h.fixed_eur_per_day),
    )
