#!/usr/bin/python3
# startup.py: from launching `sonde` to its first frame on screen
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 bench/startup.py --build _build [--runs N] [--json FILE]
#
# Starts the real application N times (default 9), each with fresh, empty
# HOME and XDG directories, so every run is a first launch: the window opens
# on the embedded demo feed. SONDE_BENCH_FIRST_FRAME makes the app print the
# monotonic time at which its first window finished painting its first
# frame, and quit; the benchmark subtracts the monotonic time at which it
# started the process. The same is measured for bench/startup-peer, a bare
# libadwaita window: what GTK, libadwaita and the X server cost on their
# own, the floor Sonde is compared with. Runs alternate (peer, Sonde, peer,
# Sonde, …); the figures are medians. One target line:
#
#   target startup-first-frame: <median> ms (goal < 400 ms) MET|MISSED
#
# Without DISPLAY it runs itself again under xvfb-run and dbus-run-session,
# with the cairo renderer, as the UI tests do. Exit status: 0 when every run
# reported its first frame; 1 when one did not (the reason on stderr).

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
GOAL_MS = 400.0
RUN_TIMEOUT_S = 30


def first_frame_ms(command, build, home):
    env = dict(os.environ)
    for name, sub in (("HOME", "home"), ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                      ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state")):
        path = os.path.join(home, sub)
        os.makedirs(path, exist_ok=True)
        env[name] = path
    runtime = os.path.join(home, "runtime")
    os.makedirs(runtime, mode=0o700, exist_ok=True)
    env.update({
        "XDG_RUNTIME_DIR": runtime,
        "SONDE_BENCH_FIRST_FRAME": "1",
        "GSETTINGS_BACKEND": "memory",
        "GSETTINGS_SCHEMA_DIR": os.path.join(build, "data"),
        "GSK_RENDERER": "cairo",
        "GDK_BACKEND": "x11",
        "GTK_A11Y": "none",
        "SONDE_SECRETS_BACKEND": "memory",
    })
    start_ns = time.monotonic_ns()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = process.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise RuntimeError("%s drew no frame within %d s" % (command[0], RUN_TIMEOUT_S))
    for line in out.splitlines():
        if line.startswith("first-frame "):
            return (int(line.split()[1]) * 1000 - start_ns) / 1e6
    raise RuntimeError("%s exited with %d without reporting a frame: %s"
                       % (command[0], process.returncode, err.strip()[-500:]))


def main():
    parser = argparse.ArgumentParser(description="Launch to first frame, Sonde against a bare libadwaita window.")
    parser.add_argument("--build", default=os.path.join(TOP, "_build"), help="the meson build directory")
    parser.add_argument("--runs", type=int, default=9, help="runs of each program (default 9)")
    parser.add_argument("--json", metavar="FILE", help="also write the measurements as JSON")
    args = parser.parse_args()
    build = os.path.abspath(args.build)

    if not os.environ.get("DISPLAY"):
        for tool in ("xvfb-run", "dbus-run-session"):
            if shutil.which(tool) is None:
                print("startup.py: no DISPLAY and no %s to make one" % tool, file=sys.stderr)
                return 1
        os.execvp("xvfb-run", ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24 -nolisten tcp -noreset",
                               "dbus-run-session", "--", sys.executable] + sys.argv)

    programs = [("bare libadwaita window", [os.path.join(build, "bench", "startup-peer")]),
                ("Sonde", [os.path.join(build, "src", "sonde")])]
    for _, command in programs:
        if not os.access(command[0], os.X_OK):
            print("startup.py: %s is missing: build first (build-aux/dev build)" % command[0], file=sys.stderr)
            return 1

    times = {name: [] for name, _ in programs}
    # One warm-up launch of each, not counted: the first run after a build
    # reads every library from disk.
    with tempfile.TemporaryDirectory(prefix="sonde-startup-") as scratch:
        try:
            for run in range(-1, args.runs):
                for name, command in programs:
                    home = os.path.join(scratch, "%s-%d" % (os.path.basename(command[0]), run + 1))
                    ms = first_frame_ms(command, build, home)
                    if run >= 0:
                        times[name].append(ms)
        except RuntimeError as error:
            print("startup.py: %s" % error, file=sys.stderr)
            return 1

    peer = statistics.median(times["bare libadwaita window"])
    print("Start-up: launch to the first frame painted, %d runs each (after one warm-up), Xvfb, "
          "GSK_RENDERER=cairo, a first launch every time (empty HOME)" % args.runs)
    print("%-24s %9s %9s %9s %9s %7s" % ("program", "median ms", "min ms", "max ms", "spread", "×"))
    print("%-24s %9s %9s %9s %9s %7s" % ("-" * 24, "-" * 9, "-" * 9, "-" * 9, "-" * 9, "-" * 7))
    for name, _ in programs:
        values = times[name]
        median = statistics.median(values)
        spread = (max(values) - min(values)) / 2 / median * 100 if median > 0 else 0
        print("%-24s %9.1f %9.1f %9.1f %8.0f%% %6.2f×" % (name, median, min(values), max(values), spread,
                                                         median / peer if peer > 0 else 0))
    sonde = statistics.median(times["Sonde"])
    print("target startup-first-frame: %.0f ms median, launch to first frame (the bare window: %.0f ms, %.2f×) "
          "(goal < %.0f ms) %s" % (sonde, peer, sonde / peer if peer > 0 else 0, GOAL_MS,
                                   "MET" if sonde < GOAL_MS else "MISSED"))

    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"runs": args.runs, "ms": times}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
