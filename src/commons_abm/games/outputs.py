"""Writing a lab session's results: ``periods.csv`` / ``rounds.csv`` and ``summary.json``,
all together or none (:func:`commons_abm.outputs.files.atomic_output_dir`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from commons_abm import __version__
from commons_abm.games.cpr import CPRResult
from commons_abm.games.public_goods import PublicGoodsResult
from commons_abm.outputs.files import atomic_output_dir, write_json

__all__ = ["write_cpr", "write_public_goods"]


def _write(frame: pd.DataFrame, table: str, summary: dict, out: Path) -> list[Path]:
    """``table`` (CSV) and ``summary.json`` into ``out``, all or nothing."""
    summary = {**summary, "commons_abm_version": __version__}

    def write(folder: Path) -> None:
        frame.to_csv(folder / table, index=False, float_format="%.10g")
        write_json(summary, folder / "summary.json")

    return atomic_output_dir(out, write)


def write_public_goods(result: PublicGoodsResult, out: Path) -> list[Path]:
    """``periods.csv`` (period, mean_contribution_share, punishment_points_per_subject,
    mean_payoff_tokens) and ``summary.json``."""
    frame = pd.DataFrame(
        {
            "period": range(1, result.contribution_share.size + 1),
            "mean_contribution_share": result.contribution_share,
            "punishment_points_per_subject": result.points_per_subject,
            "mean_payoff_tokens": result.payoff,
        }
    )
    return _write(frame, "periods.csv", result.summary(), out)


def write_cpr(result: CPRResult, out: Path) -> list[Path]:
    """``rounds.csv`` (round, treated, group investment, gross and net efficiency, share
    cooperating, fines per player) and ``summary.json``."""
    rounds = result.investment.size
    treated = [result.treatment != "baseline" and r >= result.rules.baseline_rounds for r in range(rounds)]
    frame = pd.DataFrame(
        {
            "round": range(1, rounds + 1),
            "treated": treated,
            "mean_group_investment": result.investment,
            "gross_efficiency": result.gross_efficiency,
            "net_efficiency": result.net_efficiency,
            "cooperation_share": result.cooperation,
            "fines_per_player": result.fines_per_player,
        }
    )
    return _write(frame, "rounds.csv", result.summary(), out)
