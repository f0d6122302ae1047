"""``python -m godel_cli``."""

import sys

from godel_cli.entry import main

sys.exit(main())
