#!/usr/bin/python3
# check-conformance.py: Autobahn-style client conformance of `sonde-cli --echo`
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   check-conformance.py SONDE_CLI [--cases PREFIX,…] [--jobs N] [--verbose] [--opt-in]
#
# Starts tests/servers/fuzzing_server.py, runs
# `SONDE_CLI connect --echo ws://127.0.0.1:PORT/case/ID` for every case (a few
# at a time, each with a deadline), collects the server's verdicts and prints
# a table: case, verdict, reason, duration. Exits 1 when a case is FAILED (or
# has no verdict, or the client's exit status is not the one a case
# requires); NON-STRICT and INFORMATIONAL are allowed. --cases keeps
# the cases whose id is, or starts with, one of the prefixes (e.g. 2,6.4,9.7.1).

import argparse
import json
import os
import queue
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "servers", "fuzzing_server.py")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
CLIENT_DEADLINE = 10.0       # seconds per sonde-cli run; the server gives up at 5
SUITE_DEADLINE = 110.0       # the server's lifetime
HEAVY_JOBS = 2


def selected(cases, prefixes):
    if not prefixes:
        return cases
    keep = []
    for c in cases:
        for prefix in prefixes:
            if c["case"] == prefix or c["case"].startswith(prefix + "."):
                keep.append(c)
                break
    return keep


def heavy(c):
    """Cases that move megabytes (9.1 to 9.6): never more than HEAVY_JOBS at once."""
    parts = c["case"].split(".")
    return parts[0] == "9" and parts[1] in ("1", "2", "3", "4", "5", "6")


def weight(c):
    """Heavy and slow cases first, so that they do not end the run alone."""
    return 0 if c["case"].split(".")[0] == "9" else 1


def main():
    parser = argparse.ArgumentParser(description="Autobahn-style conformance of sonde-cli --echo")
    parser.add_argument("sonde_cli")
    parser.add_argument("--cases", default="")
    parser.add_argument("--jobs", type=int, default=6)
    parser.add_argument("--verbose", action="store_true", help="print each client's stderr")
    parser.add_argument("--opt-in", action="store_true",
                        help="skip (exit 77) unless the environment variable SONDE_CONFORMANCE is set")
    args = parser.parse_args()
    if args.opt_in and not os.environ.get("SONDE_CONFORMANCE"):
        print("skipped: set SONDE_CONFORMANCE=1 to run the conformance suite")
        return 77

    listing = subprocess.run([PYTHON, SERVER, "--list"], check=True, capture_output=True, text=True).stdout
    cases = selected([json.loads(line) for line in listing.splitlines()],
                     [p.strip() for p in args.cases.split(",") if p.strip()])
    if not cases:
        print("no case matches %r" % args.cases, file=sys.stderr)
        return 2

    server = subprocess.Popen([PYTHON, SERVER, "--cases", ",".join(c["case"] for c in cases),
                               "--lifetime", str(SUITE_DEADLINE)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    first = server.stdout.readline()
    if not first.startswith("PORT "):
        print("fuzzing_server.py printed %r instead of its PORT line" % first, file=sys.stderr)
        server.kill()
        return 1
    port = int(first.split()[1])

    verdicts = {}
    verdicts_lock = threading.Condition()

    def read_verdicts():
        for line in server.stdout:
            try:
                v = json.loads(line)
            except ValueError:
                continue
            with verdicts_lock:
                verdicts[v["case"]] = v
                verdicts_lock.notify_all()

    threading.Thread(target=read_verdicts, daemon=True).start()

    clients = {}
    heavy_slots = threading.Semaphore(HEAVY_JOBS)
    work = queue.Queue()
    for c in sorted(cases, key=weight):
        work.put(c)

    def run_clients():
        while True:
            try:
                c = work.get_nowait()
            except queue.Empty:
                return
            url = "ws://127.0.0.1:%d/case/%s" % (port, c["case"])
            command = [args.sonde_cli, "connect", "--echo"] + c["args"] + [url]
            if heavy(c):
                heavy_slots.acquire()
            began = time.monotonic()
            try:
                done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, timeout=CLIENT_DEADLINE)
                status, stderr = done.returncode, done.stderr
            except subprocess.TimeoutExpired as error:
                status, stderr = "timeout", error.stderr or b""
            finally:
                if heavy(c):
                    heavy_slots.release()
            clients[c["case"]] = (status, stderr.decode("utf-8", "replace").strip(), time.monotonic() - began)
            # The server judges once the connection ended: wait for it.
            with verdicts_lock:
                verdicts_lock.wait_for(lambda: c["case"] in verdicts, timeout=7.0)

    began = time.monotonic()
    workers = [threading.Thread(target=run_clients) for _ in range(max(1, args.jobs))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    total = time.monotonic() - began
    server.stdin.close()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()

    counts = {}
    failed = []
    print("%-8s %-13s %7s %5s  %s" % ("case", "verdict", "time", "exit", "reason"))
    for c in sorted(cases, key=lambda c: tuple(int(x) for x in c["case"].split("."))):
        cid = c["case"]
        status, stderr, took = clients.get(cid, ("-", "", 0.0))
        v = verdicts.get(cid)
        if v is None:
            v = {"verdict": "FAILED", "reason": "no verdict from the server (the client never connected?) %s"
                 % stderr[-200:], "duration": took}
        if c.get("exit") is not None and status != c["exit"] and v["verdict"] != "FAILED":
            v = dict(v, verdict="FAILED", reason="sonde-cli exited %s, expected %d: %s; the server said: %s"
                     % (status, c["exit"], stderr[-200:], v["reason"]))
        counts[v["verdict"]] = counts.get(v["verdict"], 0) + 1
        if v["verdict"] == "FAILED":
            failed.append(cid)
        print("%-8s %-13s %6.2fs %5s  %s" % (cid, v["verdict"], v["duration"], status, v["reason"]))
        if args.verbose and stderr:
            print("         sonde-cli: " + stderr.replace("\n", "\n         sonde-cli: "))
    print()
    print("%d cases in %.1f s: %s" % (len(cases), total,
                                      ", ".join("%d %s" % (n, k) for k, n in sorted(counts.items()))))
    if failed:
        print("FAILED: " + " ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
