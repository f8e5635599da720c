"""Mesa agents: thin views over the model's state arrays (:mod:`~commons_abm.agents.views`)
carrying the one-agent rules the reference engine runs (:mod:`~commons_abm.agents.rules`)."""

from commons_abm.agents.views import CommonsAgent, Firm, Household, Official, StateField, agent_class

__all__ = ["CommonsAgent", "Firm", "Household", "Official", "StateField", "agent_class"]
