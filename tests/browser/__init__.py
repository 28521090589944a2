"""Browser journeys: a live server, Debian's Chromium through Playwright, axe on every page."""
