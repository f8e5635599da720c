"""commons-abm: agent-based modelling of collective action and commons governance.

A territory's households, firms and officials share energy (rooftop PV, a community
pool, a shared battery) and materials (reuse, repair, recycling, by-product exchange)
under community rules. Quick use::

    from commons_abm import CommonsModel
    model = CommonsModel()            # the shipped default scenario
    frame = model.run(steps=365)      # one row per simulated day
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("commons-abm")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

from commons_abm.core.errors import InputError  # noqa: E402
from commons_abm.core.scenario import Scenario, load_scenario  # noqa: E402

__all__ = ["CommonsModel", "InputError", "Scenario", "__version__", "load_scenario"]


def __getattr__(name: str):
    """Import the model lazily, so that ``commons_abm.core.scenario`` loads without Mesa."""
    if name == "CommonsModel":
        from commons_abm.model import CommonsModel

        return CommonsModel
    raise AttributeError(name)
