"""Browser tests: Playwright driving Debian's Chromium against the demo site."""
