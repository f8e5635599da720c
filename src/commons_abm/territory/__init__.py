"""The territory a run takes place in: who lives and works there (build), their social ties
(network), their hourly electricity demand (demand) and the sun on their roofs (solar)."""
