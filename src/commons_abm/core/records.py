"""Records of a simulated day that the engines, the model and the outputs share."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GovernanceDay"]


@dataclass
class GovernanceDay:
    """What the community's governance did at a step.

    Without community rules no meeting is held, no rule can be broken, nobody is
    sanctioned and governance costs nothing.
    """

    meeting_held: bool = False
    attendance_rate: float = 0.0  # at the latest meeting (carried forward)
    compliance_rate: float = 1.0
    sanctions: int = 0
    wrongful_sanctions: int = 0
    mediated: int = 0
    override: bool = False
    cost_eur: float = 0.0
