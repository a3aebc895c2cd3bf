"""``python -m seq2add_tui`` is the same as the ``seq2add`` command."""

from seq2add_tui.cli import main

raise SystemExit(main())
