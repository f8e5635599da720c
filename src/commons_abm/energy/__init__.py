"""The energy commons: exchanging each hour's electricity between agents, the community pool,
the shared battery and the grid (exchange), the allocation keys that share pooled energy
(allocation_keys), the battery's dispatch (battery) and each actor's own use of its PV (own_use)."""
