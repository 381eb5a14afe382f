#!/usr/bin/python3
# replay.py: `sonde-cli serve --replay --max-speed` against the flood server
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 bench/replay.py --build _build [--count 1000000] [--size 100]
#       [--repeat 3] [--quick] [--strict] [--timeout S]
#
# Issue 17: "--max-speed is limited by the client, not by Sonde: a bare
# libsoup client receives a 1M-message replay at ≥ 0.8× its rate from the
# flood server of bench/". First a recording: bench/recv-sonde --record
# receives the flood server's COUNT messages of SIZE bytes into a
# recordings database. Then, each round, bench/recv-libsoup (the ingest
# benchmark's bare libsoup receiver) receives COUNT messages twice, back to
# back: from a fresh flood-server, and from `sonde-cli serve --replay DB
# --max-speed --exit-when-done`. Prints each run, the medians and
#
#   target replay-max-speed: <ratio>× the flood server's rate (goal ≥ 0.80×) MET|MISSED
#
# Exit status 0 when every run succeeded; 1 when one failed (or, with
# --strict, the target was missed).

import argparse
import json
import os
import re
import selectors
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (start_server, stop_server, kill_group, receiver_env, parse_result, target_line)

GOAL = 0.80


def receive(build, count, url, timeout):
    """recv-libsoup on @url: its JSON result (with "error" on failure)."""
    command = [os.path.join(build, "bench", "recv-libsoup"), "--count", str(count),
               "--timeout", str(timeout), url]
    process = subprocess.Popen(command, env=run.receiver_env(), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        run.kill_group(process)
        out, err = process.communicate()
    result = run.parse_result(out) or {"error": "no result line: " + err.decode(errors="replace").strip()[-200:]}
    if "error" not in result and result.get("count") != count:
        result["error"] = f"received {result.get('count')} of {count}"
    return result


def record(build, count, size, path, timeout):
    """The flood recorded by recv-sonde --record into @path."""
    server, port = run.start_server(build, count, size, lifetime=timeout + 90)
    try:
        done = subprocess.run([os.path.join(build, "bench", "recv-sonde"), "--record", path,
                               "--count", str(count), "--timeout", str(timeout), f"ws://127.0.0.1:{port}/"],
                              env=run.receiver_env(), stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout + 60)
    finally:
        run.stop_server(server)
    result = run.parse_result(done.stdout)
    if done.returncode != 0 or result is None or "error" in result:
        raise SystemExit(f"replay.py: the recording failed: {result or done.stderr.decode(errors='replace')[-300:]}")
    return result


def start_replay(build, path, timeout):
    """sonde-cli serve --replay @path --max-speed: (process, URL)."""
    cli = os.path.join(build, "src", "cli", "sonde-cli")
    process = subprocess.Popen([cli, "serve", "--replay", path, "--max-speed", "--exit-when-done"],
                               env=run.receiver_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 30
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            match = re.search(rb"(ws://[^\s]+)", buffer)
            if match:
                return process, match.group(1).decode()
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                run.kill_group(process)
                raise SystemExit("replay.py: sonde-cli serve printed no URL within 30 s")
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                err = process.stderr.read().decode(errors="replace")
                raise SystemExit(f"replay.py: sonde-cli serve exited: {err.strip()}")
            buffer += chunk


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", required=True)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("--quick", action="store_true", help="100,000 messages, one round")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    count = 100_000 if args.quick else args.count
    repeat = 1 if args.quick else args.repeat

    print(f"replay: {count:,} messages of {args.size} bytes, {repeat} round(s); {run.environment_line()}")
    directory = tempfile.mkdtemp(prefix="sonde-bench-replay-")
    path = os.path.join(directory, "flood.sqlite")
    failed = False
    rates = {"flood-server": [], "sonde-cli serve --replay --max-speed": []}
    try:
        recorded = record(args.build, count, args.size, path, args.timeout)
        print(f"recorded {recorded['count']:,} messages into {os.path.getsize(path) / 1e6:.0f} MB")
        for round_number in range(1, repeat + 1):
            server, port = run.start_server(args.build, count, args.size, lifetime=args.timeout + 90)
            flood = receive(args.build, count, f"ws://127.0.0.1:{port}/", args.timeout)
            run.stop_server(server)

            process, url = start_replay(args.build, path, args.timeout)
            replay = receive(args.build, count, url, args.timeout)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                run.kill_group(process)
                replay.setdefault("error", "sonde-cli serve did not exit when done")
            if process.returncode not in (0, None):
                replay.setdefault("error", f"sonde-cli serve exited {process.returncode}")

            for name, result in (("flood-server", flood), ("sonde-cli serve --replay --max-speed", replay)):
                if "error" in result:
                    failed = True
                    print(f"round {round_number}: {name}: FAILED: {result['error']}")
                    continue
                rate = result["count"] / result["seconds"]
                rates[name].append(rate)
                print(f"round {round_number}: bare libsoup from {name}: {rate:,.0f} msgs/s "
                      f"({result['bytes'] / result['seconds'] / 1e6:.1f} MB/s)")
    finally:
        for suffix in ("", "-wal", "-shm", ".lock"):
            try:
                os.remove(path + suffix)
            except FileNotFoundError:
                pass
        os.rmdir(directory)

    print()
    print(f"| source (bare libsoup receiving {count:,} messages) | median msgs/s | rounds |")
    print("|---|---:|---|")
    for name, values in rates.items():
        median = f"{statistics.median(values):,.0f}" if values else "–"
        print(f"| {name} | {median} | {', '.join(f'{v:,.0f}' for v in values)} |")
    met = False
    if rates["flood-server"] and rates["sonde-cli serve --replay --max-speed"]:
        ratio = statistics.median(rates["sonde-cli serve --replay --max-speed"]) / statistics.median(rates["flood-server"])
        rounds = [r / f for r, f in zip(rates["sonde-cli serve --replay --max-speed"], rates["flood-server"])]
        met = ratio >= GOAL
        print(run.target_line("replay-max-speed",
                              f"{ratio:.2f}× the flood server's rate (round by round "
                              + ", ".join(f"{r:.2f}×" for r in rounds) + ")",
                              f"≥ {GOAL:.2f}×", met))
    else:
        print(run.target_line("replay-max-speed", "not measured", f"≥ {GOAL:.2f}×", False))
    return 1 if failed or (args.strict and not met) else 0


if __name__ == "__main__":
    sys.exit(main())
