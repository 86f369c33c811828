#!/usr/bin/env bash
# Install the Debian packages the tests need (PostgreSQL server binaries) when they are
# missing and apt is usable. Prints what it does; never fails the build just because apt is
# unavailable: the PostgreSQL tests then report clearly that the server is missing.
set -euo pipefail

have_postgres() {
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

if have_postgres; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: apt-get not found; install PostgreSQL server binaries by hand" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "system-deps: not root and no sudo; install postgresql by hand" >&2; exit 0; fi
fi
echo "system-deps: installing postgresql (Debian) for the storage tests"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
# Debian starts a cluster on install where it can; the tests use a private one instead.
