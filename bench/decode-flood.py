#!/usr/bin/python3
# decode-flood.py: the window under a MessagePack flood, a chart on a decoded
# field, beside the same flood in JSON
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 bench/decode-flood.py --build _build [--rate 100000] [--duration 20]
#       [--repeat 1] [--quick] [--strict]
#
# Runs bench/ui-flood twice a round, each with a fresh window and server:
# the JSON flood (text frames of {"seq":…,"sym":"ABC","price":101.25,"pad":…},
# an ad-hoc tab) and the same ticks in MessagePack (flood-server --msgpack:
# binary frames of the same 100 bytes; the tab is a profile's whose
# "decode" is {"chain": "msgpack"}), both with a chart on $.seq. Under
# xvfb-run and dbus-run-session when there is no display or bus, with the
# cairo renderer (run.py's display helpers). Prints each run's ui-flood
# report, then a table of both side by side (MessagePack ÷ JSON), medians
# over --repeat rounds, and the targets:
#
#   target msgpack-chart-flood-frame-gap-median: … (goal ≤ 50 ms) MET|MISSED
#   target msgpack-chart-flood-memory-bounded: … (goal ≤ +10 %) MET|MISSED
#
# "window under 100k msg/s MessagePack flood, chart on a decoded field:
# median frame gap ≤ 50 ms", and memory bounded by the log's retention (RSS
# growth after the log first evicts). Exit status 0 when every run
# reported; 1 when one failed (or, with --strict, a target was missed).

import argparse
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (display_command, display_env, kill_group, target_line)

CHART_PATH = "$.seq"
GAP_GOAL_MS = 50.0
GROWTH_GOAL = 10.0
VARIANTS = [("JSON", []), ("MessagePack", ["--msgpack"])]

# What is read from a ui-flood report: name, regular expression.
METRICS = [
    ("received msg/s", r"received by the app.* = (\d+) msg/s"),
    ("frame gap median (ms)", r"frame gap \(tick to tick\)\s+\d+\s+([\d.]+)"),
    ("frame gap p95 (ms)", r"frame gap \(tick to tick\)\s+\d+\s+[\d.]+\s+([\d.]+)"),
    ("frame gap max (ms)", r"frame gap \(tick to tick\)\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+([\d.]+)"),
    ("gap max after 1st s (ms)", r"after the first second\s+frame gap max ([\d.]+) ms"),
    ("input max after 1st s (ms)", r"after the first second\s+frame gap max [\d.]+ ms, input max ([\d.]+) ms"),
    ("fps", r"frames\s+([\d.]+) fps"),
    ("chart draws/s", r"draws while streaming \(([\d.]+) a second\)"),
    ("main thread CPU (%)", r"main thread (\d+) %"),
    ("other threads CPU (%)", r"other threads (\d+) %"),
    ("peak RSS (MiB)", r"RSS\s+\d+ MiB at the start, \d+ MiB at the end, peak (\d+) MiB"),
    ("RSS at retention (MiB)", r"retention reached\s+at [\d.]+ s: RSS (\d+) MiB"),
    ("RSS growth after (%)", r"max RSS \d+ MiB \(([+-][\d.]+) %\)"),
    ("decoded views kept (KiB)", r"decoded views\s+\d+ made, \d+ kept in (\d+) KiB"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", required=True, help="the meson build directory")
    parser.add_argument("--rate", type=int, default=100000, help="messages a second (default 100000)")
    parser.add_argument("--duration", type=int, default=20, help="seconds of flood (default 20)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds (default 1); medians over them")
    parser.add_argument("--quick", action="store_true", help="5 s floods (retention is not reached)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args()


def run_once(build, name, extra, rate, duration):
    """One ui-flood run: (its report, the metrics read from it, a failure or None)."""
    command = [os.path.join(build, "bench", "ui-flood"), "--chart", CHART_PATH, "--rate", str(rate),
               "--duration", str(duration)] + extra
    try:
        command = run.display_command(command)
    except run.BenchError as e:
        return "", {}, str(e)
    run.log(f"running ui-flood, {name} flood…")
    process = subprocess.Popen(command, env=run.display_env(build), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    failure = None
    try:
        out, err = process.communicate(timeout=3 * duration + 120)
    except subprocess.TimeoutExpired:
        run.kill_group(process)
        out, err = process.communicate()
        failure = "timed out"
    out = out.decode(errors="replace")
    err = err.decode(errors="replace").strip()
    if failure is None and process.returncode != 0:
        failure = "exit status %d: %s" % (process.returncode, err.splitlines()[-1] if err else "")
    values = {}
    for metric, pattern in METRICS:
        match = re.search(pattern, out)
        if match:
            values[metric] = float(match.group(1))
    targets = {}
    for line in out.splitlines():
        match = re.match(r"target ([\w-]+): ([-+\d.]+)", line)
        if match:
            targets[match.group(1)] = float(match.group(2))
    values["targets"] = targets
    return out, values, failure


def median_of(runs, metric):
    got = [r[metric] for r in runs if metric in r]
    return statistics.median(got) if got else None


def fmt(value):
    if value is None:
        return "-"
    return "%.0f" % value if abs(value) >= 100 else "%.1f" % value


def main():
    args = parse_args()
    duration = 5 if args.quick else args.duration
    runs = {name: [] for name, _ in VARIANTS}
    ok = True

    print("decode-flood: %d msg/s for %d s, chart on %s, %d round(s); load average %s"
          % (args.rate, duration, CHART_PATH, args.repeat, " ".join("%.2f" % x for x in os.getloadavg())))
    for r in range(args.repeat):
        for name, extra in VARIANTS:
            out, values, failure = run_once(args.build, name, extra, args.rate, duration)
            print()
            print("== round %d, %s" % (r + 1, name))
            # Indented: only the summary's target lines start a line.
            for line in out.rstrip().splitlines():
                print("  " + line if line else "")
            if failure:
                print("  ui-flood failed: %s" % failure)
                ok = False
            else:
                runs[name].append(values)

    print()
    print("%-30s %12s %12s %10s" % ("median of %d round(s)" % args.repeat, "JSON", "MessagePack", "MsgPack ÷"))
    for metric, _ in METRICS:
        json_value = median_of(runs["JSON"], metric)
        msgpack_value = median_of(runs["MessagePack"], metric)
        ratio = "%.2f×" % (msgpack_value / json_value) if json_value and msgpack_value is not None else "-"
        print("%-30s %12s %12s %10s" % (metric, fmt(json_value), fmt(msgpack_value), ratio))
    print()

    gaps = [v["targets"].get("msgpack-chart-flood-frame-gap-median") for v in runs["MessagePack"]]
    gaps = [g for g in gaps if g is not None]
    growths = [v["targets"].get("msgpack-chart-flood-memory-bounded") for v in runs["MessagePack"]]
    growths = [g for g in growths if g is not None]
    goal = "≤ %.0f ms, window under %d msg/s MessagePack flood, chart on a decoded field" % (GAP_GOAL_MS, args.rate)
    missed = False
    if gaps:
        gap = statistics.median(gaps)
        print(run.target_line("msgpack-chart-flood-frame-gap-median", "%.1f ms median frame gap" % gap, goal,
                              gap <= GAP_GOAL_MS))
        missed = missed or gap > GAP_GOAL_MS
    else:
        print(run.target_line("msgpack-chart-flood-frame-gap-median", "not measured", goal, False))
        missed = True
    goal = "≤ +%.0f %% RSS after the log's retention is reached" % GROWTH_GOAL
    if growths:
        growth = statistics.median(growths)
        print(run.target_line("msgpack-chart-flood-memory-bounded", "%+.1f %%" % growth, goal,
                              growth <= GROWTH_GOAL))
        missed = missed or growth > GROWTH_GOAL
    else:
        print(run.target_line("msgpack-chart-flood-memory-bounded",
                              "retention never reached" if runs["MessagePack"] else "not measured", goal, False))
        missed = True
    if not ok or (args.strict and missed):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
