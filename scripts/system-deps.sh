#!/usr/bin/env bash
# Install the Debian packages the tests need when they are missing and apt is usable:
# PostgreSQL server binaries (storage tests) and Chromium (browser tests of the web pages;
# Playwright drives Debian's /usr/bin/chromium, never a browser build it downloads) and
# faketime (libfaketime: `make test-clock` runs the time-sensitive tests at fixed moments).
# Prints what it does; never fails the build just because apt is unavailable: the tests
# that need a missing package then report clearly what is missing.
set -euo pipefail

have_postgres() {
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

have_chromium() {
  [ -x /usr/bin/chromium ]
}

have_faketime() {
  command -v faketime >/dev/null 2>&1
}

wanted=()
have_postgres || wanted+=(postgresql)
have_chromium || wanted+=(chromium)
have_faketime || wanted+=(faketime)
if [ ${#wanted[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: apt-get not found; install ${wanted[*]} by hand" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "system-deps: not root and no sudo; install ${wanted[*]} by hand" >&2; exit 0; fi
fi
echo "system-deps: installing ${wanted[*]} (Debian) for the storage, browser and clock tests"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian starts a PostgreSQL cluster on install where it can; the tests use a private one.
$SUDO apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
