"""Burnrate: ``python main.py [PROJECT]`` opens the app; ``--screenshot OUT.png`` renders it.

The same command as the installed ``burnrate`` launcher (see ``ui.launcher``).
"""

from __future__ import annotations

from ui.launcher import main

if __name__ == "__main__":
    raise SystemExit(main())
