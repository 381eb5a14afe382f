#!/usr/bin/python3
# limits.py: peak memory of a client told to refuse messages over 1 MiB,
# against a 100 MiB fragmented message and a 1 GiB deflate bomb (run by
# `build-aux/dev bench`)
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 bench/limits.py --build _build [--repeat N] [--timeout S]
#
# The server is tests/servers/fault_server.py, with the routes the tests use
# (tests/test-frames.c):
#
#   fragmented-100mib  /fragmented?size=104857600&chunk=65536: one text
#                      message of 100 MiB in 1,600 frames of 64 KiB
#   deflate-bomb       /deflate-zeros?size=1073741824: permessage-deflate
#                      negotiated, then ONE binary frame of 1,044,026 bytes
#                      (just under 1 MiB) that inflates to 1 GiB of zeros
#
# Clients, each in a fresh process, measured the same way (the kernel's
# ru_maxrss of the child, from wait4):
#
#   sonde-cli          `sonde-cli connect --max-message 1M [--deflate] URL`
#   Python websockets  Debian's websockets 10.4 client with max_size=1 MiB
#                      (compression="deflate" for the bomb, none otherwise):
#                      this script run with --peer
#
# Each case prints a row per client (peak RSS, the close code it closed with,
# seconds from start to exit) and then
# one line per target of sonde-cli:
#
#   target limit-fragmented-100mib: … (goal close 1009, peak RSS < 64 MiB) MET|MISSED
#   target limit-deflate-bomb: …
#
# Exit status: 0 when every sonde-cli run ran (whatever the targets say; with
# --strict, 1 when one is missed); 1 when one could not run; 2 on bad usage.

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"
SERVER = os.path.join(TOP, "tests", "servers", "fault_server.py")
LIMIT = 1024 * 1024
GOAL_RSS_KIB = 64 * 1024
GOAL_CODE = 1009

CASES = [
    {"name": "fragmented-100mib", "path": "/fragmented?size=104857600&chunk=65536", "deflate": False,
     "title": "a 100 MiB text message in 64 KiB fragments"},
    {"name": "deflate-bomb", "path": "/deflate-zeros?size=1073741824", "deflate": True,
     "title": "one permessage-deflate frame of ~1 MB that inflates to 1 GiB of zeros"},
]
CLIENTS = ["sonde-cli", "python-websockets"]
LABELS = {"sonde-cli": "sonde-cli", "python-websockets": "Python websockets"}


def log(message):
    print(message, file=sys.stderr, flush=True)


# -- the Python websockets peer (this script with --peer) ----------------------

def run_peer(url, deflate, timeout):
    import asyncio

    import websockets
    import websockets.exceptions

    async def main():
        code = None
        received = 0
        async with websockets.connect(url, max_size=LIMIT, compression="deflate" if deflate else None,
                                      ping_interval=None, close_timeout=5) as ws:
            try:
                while True:
                    message = await ws.recv()
                    received += len(message)
            except websockets.exceptions.ConnectionClosed as e:
                # The code it closed with (1009 for a message too big);
                # without a Close sent, the one received or 1006.
                code = e.sent.code if e.sent is not None else (e.rcvd.code if e.rcvd is not None else 1006)
        return code, received

    try:
        code, received = asyncio.run(asyncio.wait_for(main(), timeout))
    except asyncio.TimeoutError:
        print(json.dumps({"error": "timed out"}))
        return 1
    print(json.dumps({"close_code": code, "received": received}))
    return 0


# -- measuring -----------------------------------------------------------------

def start_server(lifetime):
    server = subprocess.Popen([PYTHON, SERVER, "--lifetime", str(lifetime)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    line = server.stdout.readline().decode(errors="replace")
    if not line.startswith("PORT "):
        server.kill()
        server.wait()
        raise RuntimeError("fault_server.py did not start")
    return server, int(line.split()[1])


def stop_server(server):
    try:
        server.stdin.close()
    except OSError:
        pass
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def client_command(name, build, url, deflate, timeout):
    if name == "sonde-cli":
        command = [os.path.join(build, "src", "cli", "sonde-cli"), "connect", "--max-message", "1M",
                   "--timeout", str(timeout)]
        if deflate:
            command.append("--deflate")
        return command + [url]
    command = [PYTHON, os.path.abspath(__file__), "--peer", url, "--timeout", str(timeout)]
    if deflate:
        command.append("--deflate")
    return command


def close_code(name, out):
    """The close code the client reports: sonde-cli's close event, or the
    peer's line."""
    code = None
    for line in out.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        if name == "sonde-cli" and record.get("kind") == "close":
            code = record.get("close_code")
        elif name != "sonde-cli" and "close_code" in record:
            code = record["close_code"]
    return code


def measure(name, build, port, case, timeout):
    url = f"ws://127.0.0.1:{port}{case['path']}"
    command = client_command(name, build, url, case["deflate"], timeout)
    env = dict(os.environ)
    env.setdefault("GSETTINGS_BACKEND", "memory")
    started = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, start_new_session=True)
    # stdin stays open (sonde-cli keeps listening at its end anyway): the
    # connection ends by the server's message, not by us.
    deadline = started + timeout + 30
    out = bytearray()
    os.set_blocking(process.stdout.fileno(), False)
    status = None
    rusage = None
    while status is None:
        chunk = None
        try:
            chunk = process.stdout.read()
        except (BlockingIOError, OSError):
            pass
        if chunk:
            out += chunk
        pid, status_word, usage = os.wait4(process.pid, os.WNOHANG)
        if pid == process.pid:
            status, rusage = status_word, usage
            break
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            _, status, rusage = os.wait4(process.pid, 0)
            break
        time.sleep(0.02)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    try:
        rest = process.stdout.read()
        if rest:
            out += rest
    except (BlockingIOError, OSError):
        pass
    try:
        process.stdin.close()
    except OSError:
        pass
    text = out.decode(errors="replace")
    return {"client": name, "case": case["name"], "peak_rss_kib": rusage.ru_maxrss,
            "close_code": close_code(name, text), "seconds": seconds,
            "exit_status": process.returncode}


def main():
    parser = argparse.ArgumentParser(description="Peak memory of a client with a 1 MiB message limit "
                                                 "against a 100 MiB fragmented message and a 1 GiB "
                                                 "deflate bomb.")
    parser.add_argument("--build", default=os.path.join(TOP, "_build"),
                        help="meson build directory (default: _build)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per client and case (default 3)")
    parser.add_argument("--timeout", type=int, default=60, help="seconds one run may take (default 60)")
    parser.add_argument("--json", metavar="FILE", help="also write every raw result to FILE")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--peer", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--deflate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.peer:
        return run_peer(args.peer, args.deflate, args.timeout)
    if args.repeat < 1 or args.timeout < 1:
        parser.error("--repeat and --timeout must be positive")
    build = os.path.abspath(args.build)
    if not os.access(os.path.join(build, "src", "cli", "sonde-cli"), os.X_OK):
        print(f"limits.py: {build}/src/cli/sonde-cli is missing: build first", file=sys.stderr)
        return 2

    print(f"Sonde limits: peak RSS with a 1 MiB message limit, median of {args.repeat} "
          f"run{'s' if args.repeat != 1 else ''} (load average {os.getloadavg()[0]:.2f})")
    server, port = start_server(lifetime=(args.timeout + 40) * args.repeat * len(CASES) * len(CLIENTS) + 60)
    raw = []
    targets = []
    broken = False
    try:
        for case in CASES:
            runs = {name: [] for name in CLIENTS}
            for rep in range(args.repeat):
                for name in CLIENTS:
                    result = measure(name, build, port, case, args.timeout)
                    raw.append(result)
                    runs[name].append(result)
                    log(f"{case['name']} run {rep + 1}/{args.repeat} {LABELS[name]}: "
                        f"peak RSS {result['peak_rss_kib'] / 1024:.1f} MiB, close {result['close_code']}, "
                        f"{result['seconds']:.1f} s")

            print()
            print(f"Case {case['name']}: {case['title']}")
            header = ("client", "peak RSS", "max", "close code", "seconds")
            rows = []
            for name in CLIENTS:
                got = runs[name]
                peaks = [r["peak_rss_kib"] for r in got]
                codes = sorted({str(r["close_code"]) for r in got})
                rows.append((LABELS[name], f"{statistics.median(peaks) / 1024:.1f} MiB",
                             f"{max(peaks) / 1024:.1f} MiB", "/".join(codes),
                             f"{statistics.median(r['seconds'] for r in got):.1f}"))
            widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
            print("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths))))
            print("  ".join("-" * w for w in widths))
            for row in rows:
                print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))

            ours = runs["sonde-cli"]
            if any(r["close_code"] is None and r["peak_rss_kib"] == 0 for r in ours):
                broken = True
            worst = max(r["peak_rss_kib"] for r in ours)
            codes = {r["close_code"] for r in ours}
            met = worst < GOAL_RSS_KIB and codes == {GOAL_CODE}
            targets.append(f"target limit-{case['name']}: peak RSS {worst / 1024:.1f} MiB (worst of "
                           f"{len(ours)}), close {'/'.join(str(c) for c in sorted(codes, key=str))} "
                           f"(goal close {GOAL_CODE}, peak RSS < {GOAL_RSS_KIB // 1024} MiB) "
                           f"{'MET' if met else 'MISSED'}")
    finally:
        stop_server(server)

    print()
    for line in targets:
        print(line)
    sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(raw, f, indent=2)
            f.write("\n")
    if broken:
        return 1
    if args.strict and any(line.endswith("MISSED") for line in targets):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
