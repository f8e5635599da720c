"""What a run writes: files written atomically (files) and the run's figures (figures)."""
