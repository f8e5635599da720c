"""Engines schedule the day's stages; they hold no formulas of their own: the compiled loop
(compiled), the staged step (staged) and the one-agent-at-a-time reference engine (reference)."""
