#!/usr/bin/python3
# record-soak.py: memory while recording for a long time
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 bench/record-soak.py --build _build [--minutes 10] [--rate 20000]
#
# bench/flood-server paces a feed of 100-byte JSON messages at --rate a
# second for --minutes; bench/recv-sonde receives it through a SondeSession
# that records into a fresh SQLite database, with the log capped at 100,000
# records as a window's retention caps it, and prints its resident memory
# every 10 s. RSS saws up and down (the allocator, SQLite's page cache, the
# WAL checkpoints), so the target compares peaks: after the first minute
# (the log filling up, caches warming), the peak of the last third of the
# run is at most 10 % above the peak of the first third; and the recording
# holds every message, without a gap.

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GROWTH_GOAL = 0.10


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=int, default=20000)
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    seconds = args.minutes * 60
    count = int(args.rate * seconds)
    db = os.path.join(tempfile.mkdtemp(prefix="sonde-soak-"), "soak.sqlite")

    server = subprocess.Popen([os.path.join(build, "bench", "flood-server"), "--count", str(count), "--size", "100",
                               "--rate", str(args.rate), "--lifetime", str(int(seconds + 120))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              start_new_session=True)
    line = server.stdout.readline().decode()
    match = re.match(r"PORT (\d+)", line)
    if not match:
        print(f"record-soak.py: flood-server said {line!r}", file=sys.stderr)
        return 1
    started = time.monotonic()
    receiver = subprocess.run([os.path.join(build, "bench", "recv-sonde"), "--record", db, "--keep", "100000",
                               "--count", str(count), "--timeout", str(int(seconds + 60)),
                               f"ws://127.0.0.1:{match.group(1)}/"],
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=seconds + 180)
    elapsed = time.monotonic() - started
    server.stdin.close()
    server.wait(timeout=30)

    samples = [(float(t), int(k)) for t, k in re.findall(r"^rss (\S+) (\d+)$", receiver.stderr.decode(), re.M)]
    result = {}
    for out_line in receiver.stdout.decode().splitlines():
        if out_line.startswith("{"):
            result = json.loads(out_line)
    db_bytes = sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s))
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    os.rmdir(os.path.dirname(db))

    print(f"Recording soak: {count:,} messages of 100 bytes at {args.rate:,}/s for {elapsed / 60:.1f} min, "
          f"log capped at 100,000 records")
    print(f"{'seconds':>8}  {'RSS MiB':>8}")
    for t, kib in samples[:: max(1, len(samples) // 20)]:
        print(f"{t:8.0f}  {kib / 1024:8.1f}")
    print(f"database: {db_bytes / 1e6:,.1f} MB, {result.get('record_messages', 0):,} messages recorded, "
          f"{result.get('record_gaps', 0)} gaps, error: {result.get('error', 'none')}")

    after_warmup = [k for t, k in samples if t >= 60]
    goal = f"peak RSS of the last third ≤ {1 + GROWTH_GOAL:.2f}× that of the first (after 1 min), no gap"
    third = len(after_warmup) // 3
    if third < 1 or "error" in result:
        print(f"target record-soak-rss: not measured ({result.get('error', 'too few samples')}) (goal {goal}) MISSED")
        return 1
    early, late = max(after_warmup[:third]), max(after_warmup[-third:])
    growth = late / early - 1
    met = growth <= GROWTH_GOAL and result.get("record_gaps", 1) == 0 and result.get("record_messages") == count
    print(f"target record-soak-rss: peak {early / 1024:.1f} MiB early, {late / 1024:.1f} MiB late ({growth:+.1%}), "
          f"{result.get('record_gaps', 0)} gaps (goal {goal}) {'MET' if met else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
