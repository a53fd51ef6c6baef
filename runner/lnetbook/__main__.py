"""``python -m lnetbook``: see :mod:`lnetbook.cli`."""

import sys

from .cli import main

sys.exit(main())
