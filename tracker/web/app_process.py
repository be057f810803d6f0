"""What each browser tab's process runs: the terminal app, through Textual's web driver
(textual-serve sets TEXTUAL_DRIVER), as the officer the server signed in.

The server gives the ledger and the officer in the environment (TRACKER_DB, TRACKER_USER,
or the database login's PGPASSWORD), never on the command line, where `ps` shows them and
which the browser cannot reach either way.
"""

from __future__ import annotations

import sys

from tracker.errors import TrackerError


def main() -> None:
    from tracker.cli.context import AppState, open_app
    from tracker.config import load_settings
    from tracker.i18n import set_language

    try:
        settings = load_settings()
        set_language(settings.lang)
        open_app(AppState(settings=settings))
    except TrackerError as exc:
        # Shown in the server's log: the browser only sees the tab close.
        print(exc.message(), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
