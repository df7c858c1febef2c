"""`python -m rollcall.dev`: what `make run` starts."""

from __future__ import annotations

import sys

from rollcall.dev.run import main

if __name__ == "__main__":
    sys.exit(main())
