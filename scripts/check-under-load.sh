#!/usr/bin/env bash
# Runs `pnpm check` N times in a row (3 by default) while two CPU hogs keep both cores busy, and
# prints each run's result and time. Passes only if every run passes. The hogs are stopped on any
# exit, Ctrl-C included.
#
#   bash scripts/check-under-load.sh      # three runs
#   bash scripts/check-under-load.sh 1    # one run
#
# Turbo's cache would turn later runs into replays of the first; each run is forced
# (`--force`), so every run builds, lints, type-checks and tests for real.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${1:-3}
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [runs]   (a positive number, 3 by default)" >&2
  exit 2
fi

hogs=()
stop_hogs() {
  for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${hogs[@]}"; do wait "$pid" 2>/dev/null || true; done
  hogs=()
}
trap stop_hogs EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for _ in 1 2; do
  node -e 'for (;;) {}' &
  hogs+=("$!")
done
echo "check-under-load: two CPU hogs running (pids ${hogs[*]}); $runs run(s) of pnpm check"

logs=$(mktemp -d "${TMPDIR:-/tmp}/check-under-load.XXXXXX")
results=()
failed=0
for run in $(seq 1 "$runs"); do
  log="$logs/run-$run.log"
  started=$(date +%s)
  if pnpm check --force >"$log" 2>&1; then result=passed; else result=FAILED; failed=1; fi
  seconds=$(( $(date +%s) - started ))
  line=$(printf 'run %d: %s in %dm%02ds (load average %s; log %s)' "$run" "$result" $((seconds / 60)) $((seconds % 60)) "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')" "$log")
  results+=("$line")
  echo "check-under-load: $line"
  if [ "$result" = FAILED ]; then
    grep -E "FAIL|Failed Tests|ERROR|error TS|✖" "$log" | head -n 20 | sed 's/^/  /'
  fi
done

echo
echo "check-under-load: summary"
printf '  %s\n' "${results[@]}"
exit "$failed"
