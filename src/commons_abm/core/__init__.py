"""What every part of the model stands on: the scenario schema and its calibrated defaults, the
state arrays, the calendar, seeding, compiled-kernel helpers, indicators and input errors."""
