#!/usr/bin/env bash
# The browser tests (tests/browser/) drive Debian's Chromium at /usr/bin/chromium through Playwright.
# Install it if it is missing (needs root, as on CI), with CJK fonts so the Chinese screenshots are
# legible; never download a browser build of Playwright's own.
set -u
command -v chromium >/dev/null 2>&1 && exit 0
echo "Chromium is missing: installing Debian's chromium package for the browser tests."
if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >/tmp/classroom-chromium-install.log 2>&1 \
   && command -v chromium >/dev/null 2>&1; then
  echo "Chromium installed: $(command -v chromium)"
  exit 0
fi
echo "Could not install Chromium (see /tmp/classroom-chromium-install.log)." >&2
echo "The browser tests need it at /usr/bin/chromium: run as root 'apt-get install chromium'," >&2
echo "then run make test again." >&2
exit 1
