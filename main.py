"""Burnrate: ``python main.py [PROJECT]`` opens the app; ``--screenshot OUT.png`` renders it.

The same command as the installed ``burnrate`` launcher (see ``ui.launcher``).
"""

from __future__ import annotations

import gc

gc.disable()  # from the first import on; ui.launcher turns it back on (see settle_memory)

from ui.launcher import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
