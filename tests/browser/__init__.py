"""The teaching app in a real browser: Debian's chromium, driven by Playwright."""
