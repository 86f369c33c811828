#!/usr/bin/env bash
# The time-sensitive part of the suite again under Debian's libfaketime, at four fixed moments
# (the process clock and TZ both set), so a test that reads the wall clock or the machine's zone
# fails here instead of on some day in CI. --clock-run leaves out the tests that start
# PostgreSQL or Chromium (see tests/conftest.py); the moments are given in UTC.
#
# The moments are independent processes, so CLOCK_JOBS of them (default: the number of CPUs,
# at most 4) run at once, each with its own pytest temporary folder; each run's output is
# printed whole, in order, once it ends. The exit code is non-zero when any moment failed.
set -uo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
# CLOCK_TESTS (space-separated paths) narrows a run by hand; the default is the whole set.
read -ra TESTS <<< "${CLOCK_TESTS:-tests/domain/test_when.py tests/domain/test_when_properties.py \
tests/cli tests/services tests/web tests/reports}"
MOMENTS=(
  "UTC|2026-12-01 17:47:00 UTC|the 1st of a month at 17:47 UTC"
  "America/New_York|2027-01-01 04:59:00 UTC|31 Dec 2026 at 23:59 in New York"
  "America/New_York|2027-03-14 06:58:00 UTC|spring-forward day in New York at 01:58 EST just before the 02:00 gap"
  "Australia/Sydney|2028-02-29 12:00:00 UTC|29 Feb 2028 at 12:00 UTC [23:00 in Sydney]"
)

command -v faketime >/dev/null || {
  echo "test-clock: faketime is missing; run scripts/system-deps.sh (Debian package faketime)" >&2
  exit 1
}
cpus=$(nproc 2>/dev/null || echo 2)
jobs=${CLOCK_JOBS:-$(( cpus < 4 ? cpus : 4 ))}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_moment() {  # index zone fake-time words
  local i=$1 zone=$2 at=$3 words=$4
  {
    echo "test-clock: $words [TZ=$zone faketime '$at']"
    TZ=$zone faketime "$at" "$BIN/pytest" -q -p no:cacheprovider --clock-run \
      --basetemp "$work/tmp-$i" "${TESTS[@]}"
    echo $? > "$work/rc-$i"
  } > "$work/out-$i" 2>&1
}

for i in "${!MOMENTS[@]}"; do
  while (( $(jobs -rp | wc -l) >= jobs )); do wait -n; done
  IFS='|' read -r zone at words <<< "${MOMENTS[$i]}"
  run_moment "$i" "$zone" "$at" "$words" &
done
wait

failed=0
for i in "${!MOMENTS[@]}"; do
  cat "$work/out-$i"
  rc=$(cat "$work/rc-$i" 2>/dev/null || echo 1)
  (( rc == 0 )) || failed=1
done
exit $failed
