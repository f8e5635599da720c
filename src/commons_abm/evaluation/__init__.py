"""Evaluating a proposed rulebook before a real trial: paired runs under the baseline and
shocks (:mod:`~commons_abm.evaluation.runs`), the verdict and money tables
(:mod:`~commons_abm.evaluation.measures`), where the proposal fails
(:mod:`~commons_abm.evaluation.discovery`), and the report
(:mod:`~commons_abm.evaluation.report`, :mod:`~commons_abm.evaluation.document`)."""

from commons_abm.evaluation.discovery import UNCERTAINTIES, Condition, FailureBox, find_failure_box
from commons_abm.evaluation.measures import VERDICT, money_table, verdict_table
from commons_abm.evaluation.runs import Evaluation, EvaluationResult, evaluate

__all__ = [
    "UNCERTAINTIES",
    "VERDICT",
    "Condition",
    "Evaluation",
    "EvaluationResult",
    "FailureBox",
    "evaluate",
    "find_failure_box",
    "money_table",
    "verdict_table",
]
