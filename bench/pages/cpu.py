"""CPU accounting for the load run (load.sh): where the machine's CPU time went.

    python cpu.py snapshot GUNICORN_PID > before.json     (and after.json)
    python cpu.py run SECONDS_FILE TIMEOUT COMMAND...      (runs Locust, writes its CPU seconds)
    python cpu.py report before.json after.json STATS_CSV SECONDS_FILE

`snapshot` reads /proc: the machine's busy and total CPU time, and the CPU time of the gunicorn
workers (the children of GUNICORN_PID). `report` prints the server's CPU per request, and how busy
the machine was, so that figures taken on a shared machine can be read for what they are.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

TICK = os.sysconf("SC_CLK_TCK")


def _machine() -> tuple[float, float]:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / TICK, sum(fields) / TICK


def _processes() -> dict[int, tuple[int, float, str]]:
    """pid → (parent pid, CPU seconds used, command line) of every process we may read."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        rest = text.rsplit(")", 1)[1].split()
        found[int(stat.parent.name)] = (
            int(rest[1]),  # ppid
            (int(rest[11]) + int(rest[12])) / TICK,  # utime + stime
            cmdline,
        )
    return found


def snapshot(parent: int) -> None:
    """The machine's CPU times, the gunicorn workers' and the PostgreSQL backends' of our DB."""
    busy, total = _machine()
    database = urlparse(os.environ.get("DATABASE_URL", "")).path.lstrip("/")
    processes = _processes()
    json.dump(
        {
            "busy": busy,
            "total": total,
            "gunicorn": sum(cpu for ppid, cpu, _cmd in processes.values() if ppid == parent),
            # Backends serving our database ("postgres: user db 127.0.0.1(port) ...").
            "postgres": {
                str(pid): cpu
                for pid, (_ppid, cpu, cmd) in processes.items()
                if database and cmd.startswith("postgres:") and f" {database} " in cmd
            },
        },
        sys.stdout,
    )


def run(seconds_file: str, timeout: str, command: list[str]) -> int:
    """Run the command (Locust), bounded in time; write the CPU seconds it used."""
    try:
        code = subprocess.run(command, timeout=float(timeout), check=False).returncode  # noqa: S603
    except subprocess.TimeoutExpired:
        code = 124
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    Path(seconds_file).write_text(f"{usage.ru_utime + usage.ru_stime:.2f}")
    return code


def report(before: str, after: str, stats: str, seconds_file: str) -> None:
    a, b = json.loads(Path(before).read_text()), json.loads(Path(after).read_text())
    with Path(stats).open() as f:
        rows = list(csv.DictReader(f))
    requests = int(next(r for r in rows if r["Name"] == "Aggregated")["Request Count"]) or 1
    wall = (b["total"] - a["total"]) / (os.cpu_count() or 1)
    busy = b["busy"] - a["busy"]
    server = b["gunicorn"] - a["gunicorn"]
    database = sum(cpu - a["postgres"].get(pid, 0.0) for pid, cpu in b["postgres"].items())
    locust = float(Path(seconds_file).read_text())
    others = max(busy - server - database - locust, 0.0)
    postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))
    print(f"load_server_cpu_ms_per_request: {server * 1000 / requests:.1f}")
    if postgres:
        print(f"load_db_cpu_ms_per_request: {database * 1000 / requests:.1f}")
    db = f"PostgreSQL (this database) {database:.1f} s" if postgres else "SQLite in gunicorn"
    print(
        f"load_cpu: machine {busy / wall * 100 / (os.cpu_count() or 1):.0f} % busy over "
        f"{wall:.0f} s: gunicorn {server:.1f} s, {db}, Locust {locust:.1f} s, "
        f"other processes {others:.1f} s of CPU"
    )


if __name__ == "__main__":
    if sys.argv[1] == "snapshot":
        snapshot(int(sys.argv[2]))
    elif sys.argv[1] == "run":
        sys.exit(run(sys.argv[2], sys.argv[3], sys.argv[4:]))
    else:
        report(*sys.argv[2:6])
