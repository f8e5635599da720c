"""The contract every mechanism keeps, as a base class its tests inherit (as every
strategy's tests inherit the Axelrod library's ``TestPlayer``).

A mechanism module (for example :mod:`commons_abm.behaviour.trust`) holds, side by side,
its equations and sources (the module docstring), a named parameter record
(a ``NamedTuple``), its whole-population kernel and its one-agent form. A test class
for it subclasses :class:`MechanismContract`, names the module, its random stream and
the bounds of its outputs, and says how to build a small fixture and call both forms;
it then gets these tests for free:

* the population form equals the one-agent form applied agent by agent, on fixtures of
  several seeds (``test_population_equals_one_agent``);
* every output stays within its documented bounds (``test_outputs_within_bounds``);
* draws come only from the mechanism's own named stream, and that stream is one its
  stage of the day declares (``test_draws_only_from_its_own_stream``);
* the module states its equations and sources, and its parameters are a named record
  (``test_module_states_equations_and_sources``, ``test_parameters_are_a_named_record``).

``docs/contributing/add_a_mechanism.md`` is the recipe.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from types import ModuleType
from typing import Any, ClassVar

import numpy as np

from commons_abm.core.seeding import STREAMS, streams
from commons_abm.engines.day import DAY

SEEDS = (1, 2, 3, 4, 5)
# a citation: a seed document by file name, or Author (Year) / Author & Author Year / Author et al. Year
CITATION = re.compile(
    r"\b\d{3}_[0-9a-f]{16}\.txt\b|[A-Z][A-Za-z'-]+(?: et al\.|,? (?:&|and) [A-Z][A-Za-z'-]+)*,? \(?\d{4}"
)


class MechanismContract(ABC):
    """Contract tests of one mechanism; subclasses fill in the class attributes and methods."""

    module: ClassVar[ModuleType]
    stream: ClassVar[str | None] = None  # the named random stream it draws from, None if it draws nothing
    parameters: ClassVar[type | None] = None  # its named parameter record, None if it has no parameters
    bounds: ClassVar[dict[str, tuple[float, float]]] = {}  # output name -> (lowest, highest) allowed
    agents: ClassVar[int] = 40  # size of the fixture
    rtol: ClassVar[float] = 0.0  # the forms share their arithmetic: equal to the last bit by default

    # ------------------------------------------------------------ to fill in
    @abstractmethod
    def fixture(self, rng: np.random.Generator) -> dict[str, Any]:
        """A small population's inputs (drawn from ``rng``, which is not a model stream)."""
        ...

    @abstractmethod
    def population(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        """The whole-population form's outputs, one array per output name."""
        ...

    @abstractmethod
    def one_agent(self, fixture: dict[str, Any], rngs: dict[str, np.random.Generator]) -> dict[str, np.ndarray]:
        """The same outputs from the one-agent form, called agent after agent (drawing, if
        it draws, what the population form draws, in the same order)."""
        ...

    # --------------------------------------------------------- the contract
    def _fixture(self, seed: int) -> dict[str, Any]:
        return self.fixture(np.random.default_rng(np.random.SeedSequence([seed, 2026])))

    def test_population_equals_one_agent(self) -> None:
        for seed in SEEDS:
            whole = self.population(self._fixture(seed), streams(seed))
            each = self.one_agent(self._fixture(seed), streams(seed))
            assert set(whole) == set(each)
            for name in whole:
                np.testing.assert_allclose(
                    np.asarray(each[name], float),
                    np.asarray(whole[name], float),
                    rtol=self.rtol,
                    atol=0.0,
                    err_msg=f"{name}, seed {seed}",
                )

    def test_outputs_within_bounds(self) -> None:
        assert self.bounds, "a mechanism documents the bounds of its outputs"
        for seed in SEEDS:
            out = self.population(self._fixture(seed), streams(seed))
            for name, (lo, hi) in self.bounds.items():
                values = np.asarray(out[name], float)
                assert np.all(np.isfinite(values)), name
                assert values.min(initial=lo) >= lo and values.max(initial=hi) <= hi, (name, values.min(), values.max())

    def test_draws_only_from_its_own_stream(self) -> None:
        rngs = streams(SEEDS[0])
        before = {name: rng.bit_generator.state for name, rng in rngs.items()}
        self.population(self._fixture(SEEDS[0]), rngs)
        moved = {name for name, rng in rngs.items() if rng.bit_generator.state != before[name]}
        assert moved == ({self.stream} if self.stream else set())
        if self.stream:
            assert self.stream in STREAMS
            home = self.module.__name__.removeprefix("commons_abm.")
            stages = [stage for stage in DAY if home in stage.mechanisms]
            assert stages, f"{home} is the mechanism of no stage of the day"
            assert any(self.stream in stage.streams for stage in stages), "its stage does not declare its stream"

    def test_module_states_equations_and_sources(self) -> None:
        doc = self.module.__doc__ or ""
        assert len(doc.split()) >= 40, "the module docstring gives the mechanism's equations"
        assert CITATION.search(doc), "the module docstring cites its sources"

    def test_parameters_are_a_named_record(self) -> None:
        if self.parameters is None:
            return
        assert issubclass(self.parameters, tuple) and hasattr(self.parameters, "_fields")
        assert self.parameters.__doc__ and not self.parameters.__doc__.startswith(self.parameters.__name__ + "(")
        # the record lives with its mechanism, or, for a rule's mechanism, with the compiled rules
        assert self.parameters.__module__ in (self.module.__name__, "commons_abm.governance.institutions")
