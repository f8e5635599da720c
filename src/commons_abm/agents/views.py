"""Mesa agents: thin views over the model's state arrays.

An agent holds only its index into :class:`~commons_abm.core.state.State`; reading
``agent.pv_kwp`` reads ``model.state.pv_kwp[agent.index]`` and writing it writes the
array. So ``model.agents``, ``agents_by_type``, selection and SolaraViz keep working
while the stages update the whole population at once.

The agents' own rules (``step``, ``learn``, ...: :mod:`commons_abm.engines.reference`)
are what the reference engine runs (``CommonsModel(..., engine="agents")``); the array
engine, the default, never calls them.
"""

from __future__ import annotations

import mesa
from mesa.discrete_space import FixedAgent

from commons_abm.agents.rules import AgentRules, FirmRules, HouseholdRules
from commons_abm.core.kinds import KINDS, kind_named

__all__ = ["CommonsAgent", "Firm", "Household", "Official", "StateField", "agent_class"]


class StateField:
    """An agent attribute stored in ``model.state.<name>[agent.index]``."""

    def __init__(self, doc: str = "") -> None:
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, agent: CommonsAgent | None, owner: type | None = None):
        if agent is None:
            return self
        value = getattr(agent.model.state, self.name)[agent.index]
        return value.item() if hasattr(value, "item") else value

    def __set__(self, agent: CommonsAgent, value) -> None:
        getattr(agent.model.state, self.name)[agent.index] = value


class CommonsAgent(AgentRules, FixedAgent):
    """An actor of the territory, placed on a node of the social network."""

    kind_code: int = -1

    neighbourhood = StateField("Neighbourhood index (all nested in one commune).")
    annual_demand_kwh = StateField("Mean annual electricity demand [kWh/yr].")
    pv_kwp = StateField("Installed rooftop PV [kWp].")
    member = StateField("Member of the energy community.")
    battery_received_kwh = StateField("Energy the community battery gave the agent on the latest day [kWh].")
    contributed_kwh = StateField("Energy offered to the pool since the start [kWh].")
    trust_institutional = StateField("Trust in the rules, the operator and the officials [0-1].")
    satisfaction = StateField("Benefit in return for commitments [0-1].")
    energy_cost_eur = StateField("Energy cost of the last step [EUR].")
    material_cost_eur = StateField("Materials cost of the last step [EUR].")
    net_benefit_eur = StateField("Saving against acting alone, last step [EUR].")
    cumulative_net_benefit_eur = StateField("Saving against acting alone since the start [EUR].")
    pv_performance = StateField("Orientation and shading factor of the PV [-].")
    energy_poor = StateField("In energy poverty (served first under 'needs_first').")
    cc_type = StateField("Conditional-cooperation type (index into motives.CC_TYPES).")
    group_weight = StateField("Weight on the group's payoff (social value orientation) [-].")
    belief = StateField("Expected cooperation of others [0-1].")
    propensity = StateField("Probability of keeping to its share of the battery today [0-1].")
    goodwill_share = StateField(
        "Share of that probability it would have unwatched: the share of its cooperation its "
        "neighbours credit to it [0-1]."
    )
    cooperated = StateField("Kept to its share of the battery today (its fee is a decision of its own).")
    satisfaction_short = StateField("Short-run satisfaction [0-1].")
    satisfaction_long = StateField("Long-run satisfaction [0-1].")
    attended_last = StateField("Attended the latest meeting.")
    meetings_attended = StateField("Meetings attended while a member.")
    meetings_eligible = StateField("Meetings held while a member.")
    excluded_until = StateField("Step until which re-joining is barred.")
    offence_level = StateField("Rung of the sanction ladder.")
    clean_days = StateField("Days since the last offence.")
    fines_eur = StateField("Fines paid at the last step [EUR].")
    fees_eur = StateField("Fee paid at the last step [EUR].")
    governance_cost_eur = StateField("Own cost of monitoring at the last step [EUR].")
    bill_total_eur = StateField("Energy bill since the start, inside the community when a member [EUR].")
    alone_total_eur = StateField("Energy bill since the start had it acted alone [EUR].")
    fees_total_eur = StateField("Fees paid since the start [EUR].")
    fines_total_eur = StateField("Fines paid since the start [EUR].")
    waste_kg_per_day = StateField("Mean end-of-life goods discarded [kg/day] (0 but for households).")
    input_kg_per_day = StateField("Mean material input [kg/day] (0 but for firms).")
    byproduct_kg_per_day = StateField("Mean by-product [kg/day] (0 but for firms).")
    input_type = StateField("Kind of material used (-1: none).")
    byproduct_type = StateField("Kind of material given off (-1: none).")

    def __init__(self, model: mesa.Model, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def kind(self) -> str:
        """The agent's kind (a name of :data:`~commons_abm.core.kinds.KINDS`)."""
        return KINDS[self.kind_code].name

    @property
    def trades_byproducts(self) -> bool:
        """Whether this agent uses material and gives off by-products (a firm's role)."""
        return KINDS[self.kind_code].material_role == "trades_byproducts"

    @property
    def trust(self) -> float:
        """Institutional trust (the agent's trust in the socio-technical system) [0-1]."""
        return self.trust_institutional

    @trust.setter
    def trust(self, value: float) -> None:
        self.trust_institutional = value

    @property
    def neighbours(self) -> list[CommonsAgent]:
        """The agents this one is tied to."""
        return [self.model.agent_at(int(j)) for j in self.model.state.ties.neighbours(self.index)]

    def trust_in(self, other: CommonsAgent) -> float:
        """Interpersonal trust this agent places in a neighbour [0-1]."""
        ties = self.model.state.ties
        lo, hi = ties.indptr[self.index], ties.indptr[self.index + 1]
        hits = (ties.indices[lo:hi] == other.index).nonzero()[0]
        if hits.size == 0:
            raise KeyError(f"agent {other.index} is not a neighbour of agent {self.index}")
        return float(ties.trust[lo + hits[0]])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(index={self.index}, unique_id={self.unique_id})"


class Household(HouseholdRules, CommonsAgent):
    """A household: consumes energy morning and evening, may own PV, discards goods."""

    kind_code = kind_named("household").code
    persons = StateField("Persons in the household.")


class Firm(FirmRules, CommonsAgent):
    """A firm: consumes energy in working hours, uses material, gives off by-products."""

    kind_code = kind_named("firm").code


class Official(CommonsAgent):
    """An elected or civil-service official, responsible for one public building."""

    kind_code = kind_named("official").code


# The one-agent material rules of each material role (core.kinds.MATERIAL_ROLES)
ROLE_RULES: dict[str, tuple[type[AgentRules], ...]] = {
    "discards_goods": (HouseholdRules,),
    "trades_byproducts": (FirmRules,),
    "none": (),  # the common rules of CommonsAgent alone
}
_CLASSES: dict[int, type[CommonsAgent]] = {cls.kind_code: cls for cls in (Household, Firm, Official)}


def agent_class(kind: int) -> type[CommonsAgent]:
    """The agent class of a kind code: the named class above, or, for a kind of the table
    (:data:`~commons_abm.core.kinds.KINDS`) that has none, a class made from its row (its
    material role's rules and the common view)."""
    code = int(kind)
    if code not in _CLASSES:
        row = KINDS[code]
        name = "".join(part.title() for part in row.name.split("_"))
        bases = (*ROLE_RULES[row.material_role], CommonsAgent)
        _CLASSES[code] = type(name, bases, {"kind_code": code, "__doc__": f"A {row.name}: {row.description}."})
    return _CLASSES[code]
