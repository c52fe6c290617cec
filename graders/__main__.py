"""``python -m graders``: the instructor commands (see ``--help``)."""

import os
import sys

from graders.engine.cli import main

code = main()
# Everything is written and closed by now: skip the interpreter's teardown of torch
# (about 0.25 s, longer than some commands take).
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
