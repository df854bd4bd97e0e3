"""``python -m identigraph``."""

from __future__ import annotations

import sys

from identigraph.cli import main

sys.exit(main())
