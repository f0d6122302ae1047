"""``python -m godel_cli``."""

import sys

from godel_cli.main import main

sys.exit(main())
