"""``python -m commons_abm`` runs the command line."""

import sys

from commons_abm.cli import main

sys.exit(main())
