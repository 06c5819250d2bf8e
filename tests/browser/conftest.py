"""Browser tests drive Debian's Chromium; the session's one browser is the ``browser`` fixture of tests/conftest.py."""
