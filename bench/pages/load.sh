#!/bin/sh
# Load run on loopback: gunicorn serving config.wsgi, Locust headless against it, then the
# figures as `load_*` lines. Needs the synthetic data set (manage.py seed_synthetic) in the
# database of DATABASE_URL. Bounded: Locust stops after DURATION seconds, everything after
# DURATION + 120 s; gunicorn is stopped on exit whatever happens.
#
#   USERS=200 RATE=50 DURATION=60 WORKERS=4 sh bench/pages/load.sh
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=${PY:-$ROOT/.venv/bin/python}
USERS=${USERS:-200}
RATE=${RATE:-50}
DURATION=${DURATION:-60}
WORKERS=${WORKERS:-4}
export DEBUG=false
# Persistent database connections, as in production (and one backend per worker to account for).
export CONN_MAX_AGE="${CONN_MAX_AGE:-600}"
export BENCH_PASSWORD="${BENCH_PASSWORD:-synthetic-bench-password}"
cd "$ROOT"
OUT=$(mktemp -d)
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PY" bench/pages/targets.py > "$OUT/targets.json"

"$PY" -m gunicorn config.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" --timeout 30 2>>"$OUT/gunicorn.log" &
GUNICORN=$!
cleanup() {
  kill "$GUNICORN" 2>/dev/null || true
  wait "$GUNICORN" 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT INT TERM

"$PY" - "$PORT" <<'PYEOF'
import sys, time, urllib.request
for _ in range(60):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/healthz", timeout=2)
        break
    except OSError:
        time.sleep(0.5)
else:
    sys.exit("gunicorn did not start")
PYEOF

echo "load: $USERS users (spawn rate $RATE/s) for ${DURATION}s against gunicorn ($WORKERS workers) on 127.0.0.1:$PORT, $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg)"
"$PY" bench/pages/cpu.py snapshot "$GUNICORN" > "$OUT/cpu-before.json"
BENCH_TARGETS="$OUT/targets.json" "$PY" bench/pages/cpu.py run "$OUT/locust-cpu" \
  $((DURATION + 120)) "$PY" -m locust -f bench/pages/locustfile.py --headless \
  -u "$USERS" -r "$RATE" -t "${DURATION}s" --host "http://127.0.0.1:$PORT" \
  --csv "$OUT/load" --only-summary --stop-timeout 10 > "$OUT/locust.log" 2>&1 || true
"$PY" bench/pages/cpu.py snapshot "$GUNICORN" > "$OUT/cpu-after.json"

"$PY" - "$OUT" <<'PYEOF'
import csv, sys
from pathlib import Path
out = Path(sys.argv[1])
path = out / "load_stats.csv"
if not path.exists():
    print((out / "locust.log").read_text()[-3000:])
    sys.exit("load: Locust wrote no statistics")
rows = list(csv.DictReader(path.open()))
for row in rows:
    if row["Name"] != "Aggregated":
        print(f"load_{row['Name'].replace(' ', '_').replace('(', '').replace(')', '')}: "
              f"{row['Request Count']} requests, p50 {row['50%']} ms, p95 {row['95%']} ms, "
              f"{row['Failure Count']} errors")
total = next(row for row in rows if row["Name"] == "Aggregated")
print(f"load_rps: {float(total['Requests/s']):.1f}")
print(f"load_p50_ms: {total['50%']}")
print(f"load_p95_ms: {total['95%']}")
print(f"load_p99_ms: {total['99%']}")
print(f"load_errors: {total['Failure Count']}")
failures = out / "load_failures.csv"
if failures.exists() and int(total["Failure Count"]):
    print(failures.read_text()[:2000])
PYEOF
"$PY" bench/pages/cpu.py report "$OUT/cpu-before.json" "$OUT/cpu-after.json" \
  "$OUT/load_stats.csv" "$OUT/locust-cpu" || true
