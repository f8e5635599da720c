"""The energy commons: exchanging each hour's electricity between agents, the community pool,
the shared battery and the grid (exchange), the allocation keys that share pooled energy
(allocation_keys) and the battery's dispatch (battery)."""
