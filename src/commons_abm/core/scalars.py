"""Plain-Python scalar helpers of the one-agent rules (the reference engine's)."""

from __future__ import annotations

__all__ = ["clip"]


def clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    """``x`` within ``[lo, hi]``."""
    return min(max(x, lo), hi)
