"""``python -m graders``: the instructor commands (see ``--help``)."""

import sys

from graders.engine.cli import main

sys.exit(main())
