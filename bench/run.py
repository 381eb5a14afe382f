#!/usr/bin/python3
# run.py: the ingest, JSON path and chart benchmarks (run by `build-aux/dev bench`)
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 bench/run.py --build _build [--quick] [--suite ingest|json-path|chart]...
#                                 [--scenario small|large|socketio|jsonrpc]... [--repeat N]
#                                 [--receiver NAME]... [--timeout S] [--one-core]
#                                 [--before-build DIR] [--json FILE] [--strict]
#
# Protocol modes ("socketio", "jsonrpc"): the 100-byte tick framed as a
# Socket.IO event (flood-server --socketio, after an Engine.IO open packet)
# or as a JSON-RPC notification (--jsonrpc), received by bare libsoup, Sonde
# core, a SondeSession with no mode and one speaking the mode (recv-sonde
# --app-protocol none|socket.io|json-rpc), the last two reading every
# message's view and label as it arrives (--read-views). Target
# app-protocol-ingest-<scenario>: the mode ÷ no mode, ≥ 0.80×.
#
# A loopback flood (bench/flood-server) of 1,000,000 JSON messages of 100
# bytes ("small") and of 20,000 messages of 64 KiB ("large"), received side by
# side by a bare libsoup client that only counts, Sonde's core pipeline
# (SondeConnection + SondeMessageLog), a Node `ws` client and a Python
# `websockets` client; also Sonde with frames shown (recv-sonde --show-frames:
# what showing frames costs) and, with --before-build DIR, the recv-sonde of
# another build (e.g. of commit efd7a40, before issue 13), each printed as a
# ratio under the table. Every measurement gets a fresh flood-server and a
# fresh receiver process; runs are interleaved (libsoup, Sonde, Node, Python,
# then again) and each figure is the median of --repeat runs. It prints one
# table per scenario and then one line per target:
#
#   target <name>: <measured> (goal <goal>) MET|MISSED
#
# Then the JSON path benchmark (bench/bench-json-path, which measures
# SondeJsonPath against json-glib in one process) prints its own table and
# target lines; they join the list at the end.
#
# The chart suite runs bench/bench-series (what a chart costs to read from
# SondeSeries), bench/chart-fps (a chart of 4 series × 1M points redrawn on
# every frame) and bench/ui-flood --chart '$.seq' (the window under a 300k
# msg/s flood with the field charted), the last two on a display: under
# xvfb-run (and dbus-run-session) when DISPLAY is unset, with the cairo
# renderer. Their target lines join the list too.
#
# Exit status: 0 when every measurement of libsoup and Sonde ran (whether or
# not the targets are met; with --strict, 1 when one is missed); 1 when one
# of them (or a JSON path or chart benchmark) failed; 2 on bad usage. See
# bench/README.md.

import argparse
import json
import os
import platform
import re
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"

SCENARIOS = {
    "small": {"count": 1_000_000, "quick_count": 100_000, "size": 100,
              "title": "JSON messages of 100 bytes"},
    "large": {"count": 20_000, "quick_count": 4_000, "size": 64 * 1024,
              "title": "JSON messages of 64 KiB"},
    # Protocol modes: the same ticks framed by a protocol, received by Sonde
    # with no mode and with the mode, both reading every message's view and
    # label as it arrives (recv-sonde --read-views).
    "socketio": {"count": 1_000_000, "quick_count": 100_000, "size": 100,
                 "framing": "--socketio", "extra": 1, "app": "sonde-socketio",
                 "title": "Socket.IO events of 100 bytes (after an Engine.IO open packet)"},
    "jsonrpc": {"count": 1_000_000, "quick_count": 100_000, "size": 100,
                "framing": "--jsonrpc", "extra": 0, "app": "sonde-jsonrpc",
                "title": "JSON-RPC notifications of 100 bytes"},
}
# The receivers of a protocol scenario (the others run the rest).
PROTOCOL_RECEIVERS = ["libsoup", "sonde", "sonde-views", "sonde-socketio", "sonde-jsonrpc"]

RECEIVERS = ["libsoup", "sonde", "sonde-record", "sonde-frames", "sonde-before", "node-ws", "python-websockets",
             "sonde-views", "sonde-socketio", "sonde-jsonrpc"]
LABELS = {
    "libsoup": "bare libsoup",
    "sonde": "Sonde core",
    "sonde-record": "Sonde + recording",
    "sonde-frames": "Sonde + frames shown",
    "sonde-before": "Sonde before #13",
    "node-ws": "Node ws",
    "python-websockets": "Python websockets",
    "sonde-views": "Sonde, no mode",
    "sonde-socketio": "Sonde + socket.io",
    "sonde-jsonrpc": "Sonde + json-rpc",
}
# recv-sonde's --app-protocol of each protocol receiver.
APP_PROTOCOLS = {"sonde-views": "none", "sonde-socketio": "socket.io", "sonde-jsonrpc": "json-rpc"}

# Targets (docs/DESIGN.md, "Numbers the design must reach").
INGEST_GOAL = 0.90                 # × the bare libsoup client's msgs/s
OVERHEAD_GOAL = 32.0               # log bytes per stored message beyond its payload
RSS_GOAL_BYTES = 200 * 1000 * 1000  # a 1M-message log of 100-byte messages
RSS_GOAL_COUNT = 1_000_000
RECORD_INGEST_GOAL = 0.90          # × Sonde's msgs/s without recording
RECORD_DISK_FACTOR = 1.3           # database ≤ 1.3 × payload + 40 B per message
RECORD_DISK_PER_MSG = 40
APP_INGEST_GOAL = 0.80             # a mode: × Sonde's msgs/s without one, on the same frames

JSON_PATH_TIMEOUT = 900            # seconds bench-json-path may take
SUITES = ["ingest", "json-path", "chart"]

CHART_PATH = "$.seq"               # what ui-flood charts: flood-server numbers its messages
XVFB_SCREEN = "-screen 0 1280x800x24 -nolisten tcp"

SERVER_START_TIMEOUT = 15          # seconds to print "PORT n"
SERVER_EXIT_TIMEOUT = 10           # seconds to exit once the receiver is done
# --before-build: another build tree (e.g. of commit efd7a40, before issue 13)
# whose recv-sonde runs as the "sonde-before" receiver, on the same floods.
BEFORE_BUILD = None
# --one-core: every receiver on CPU 0 (its I/O and main threads share it),
# every flood-server on CPU 1, with taskset: what a mode costs when the
# receiver has one core, not two.
ONE_CORE = False


def log(message):
    print(message, file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


def kill_group(process):
    """Ends a process we started (in its own session) and its children."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def receiver_command(name, build, count, timeout):
    args = ["--count", str(count), "--timeout", str(timeout)]
    if name == "libsoup":
        return [os.path.join(build, "bench", "recv-libsoup")] + args
    if name == "sonde":
        return [os.path.join(build, "bench", "recv-sonde")] + args
    if name == "sonde-record":
        path = os.path.join(tempfile.gettempdir(), f"sonde-bench-record-{os.getpid()}.sqlite")
        return [os.path.join(build, "bench", "recv-sonde"), "--record", path] + args
    if name == "sonde-frames":
        return [os.path.join(build, "bench", "recv-sonde"), "--show-frames"] + args
    if name in APP_PROTOCOLS:
        return [os.path.join(build, "bench", "recv-sonde"), "--app-protocol", APP_PROTOCOLS[name],
                "--read-views"] + args
    if name == "sonde-before":
        if BEFORE_BUILD is None:
            raise BenchError("no --before-build given")
        return [os.path.join(BEFORE_BUILD, "bench", "recv-sonde")] + args
    if name == "node-ws":
        node = shutil.which("node")
        if node is None:
            raise BenchError("node is not on PATH")
        return [node, os.path.join(HERE, "recv-node.js")] + args
    if name == "python-websockets":
        return [PYTHON, os.path.join(HERE, "recv_python.py")] + args
    raise AssertionError(name)


def receiver_env():
    env = dict(os.environ)
    modules = os.path.join(TOP, "tests", "servers", "node_modules")
    env["NODE_PATH"] = os.pathsep.join(p for p in (env.get("NODE_PATH"), modules) if p)
    # No debug switches that would slow GLib down or abort on a warning.
    env.pop("G_DEBUG", None)
    env.pop("G_SLICE", None)
    env.pop("G_MESSAGES_DEBUG", None)
    return env


def start_server(build, count, size, lifetime, framing=None):
    """Starts a flood-server and returns (process, port)."""
    server = subprocess.Popen(
        (["taskset", "-c", "1"] if ONE_CORE else []) +
        [os.path.join(build, "bench", "flood-server"), "--count", str(count),
         "--size", str(size), "--lifetime", str(lifetime)] + ([framing] if framing else []),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(server.stdout, selectors.EVENT_READ)
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                kill_group(server)
                raise BenchError(f"flood-server printed no port within {SERVER_START_TIMEOUT} s")
            chunk = os.read(server.stdout.fileno(), 256)
            if not chunk:
                server.wait(timeout=5)
                error = server.stderr.read().decode(errors="replace").strip()
                raise BenchError(f"flood-server exited ({server.returncode}): {error}")
            buffer += chunk
    match = re.match(rb"PORT (\d+)\n", buffer)
    if match is None:
        kill_group(server)
        raise BenchError(f"flood-server said {buffer!r} instead of PORT n")
    return server, int(match.group(1))


def stop_server(server):
    """Lets the server finish (closing its stdin ends it at the latest) and
    returns what it said about its own pace."""
    try:   # communicate() closes stdin first
        _, err = server.communicate(timeout=SERVER_EXIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        kill_group(server)
        _, err = server.communicate()
    text = err.decode(errors="replace")
    match = re.search(r"wrote (\d+) messages of (\d+) bytes in ([0-9.]+) s", text)
    return float(match.group(3)) if match else None


def parse_result(stdout):
    for line in reversed(stdout.decode(errors="replace").splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                result = json.loads(line)
            except ValueError:
                continue
            if isinstance(result, dict) and "receiver" in result:
                return result
    return None


def measure(name, build, count, size, timeout, framing=None, extra=0):
    """One fresh flood-server, one receiver run: returns the receiver's JSON
    result, with "error" (and "timed_out") when something went wrong.
    @framing: flood-server's option (--socketio…), whose flood holds @extra
    messages more than @count (the Engine.IO open packet)."""
    try:
        command = receiver_command(name, build, count + extra, timeout)
    except BenchError as e:
        return {"receiver": name, "count": 0, "error": str(e)}

    # The server's own deadline covers the receiver's and the close wait.
    server, port = start_server(build, count, size, lifetime=timeout + 90, framing=framing)
    started = time.monotonic()
    if ONE_CORE:
        command = ["taskset", "-c", "0"] + command
    receiver = subprocess.Popen(command + [f"ws://127.0.0.1:{port}/"], env=receiver_env(),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
    killed = False
    try:
        out, err = receiver.communicate(timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        killed = True
        kill_group(receiver)
        out, err = receiver.communicate()
    wall = time.monotonic() - started
    server_seconds = stop_server(server)
    if "--record" in command:
        path = command[command.index("--record") + 1]
        for suffix in ("", "-wal", "-shm", ".lock"):
            try:
                os.remove(path + suffix)
            except FileNotFoundError:
                pass

    result = parse_result(out)
    if result is None:
        detail = err.decode(errors="replace").strip().splitlines()
        detail = detail[-1] if detail else "nothing on stderr"
        how = "killed" if killed else f"exit status {receiver.returncode}"
        result = {"receiver": name, "count": 0, "error": f"no result line ({how}): {detail}"}
        if killed:
            result["timed_out"] = True
    elif result.get("error") == "timed out":
        result["timed_out"] = True
    elif "error" not in result and receiver.returncode != 0:
        result["error"] = f"exit status {receiver.returncode}"

    result["wall_seconds"] = wall
    result["server_seconds"] = server_seconds
    result["expected"] = count + extra
    return result


def derive(result):
    """Adds the figures the table shows to one successful result."""
    seconds = result.get("seconds") or 0
    if seconds <= 0:
        result["error"] = result.get("error") or "no elapsed time"
        return
    result["msgs_per_s"] = result["count"] / seconds
    result["mb_per_s"] = result["bytes"] / seconds / 1e6
    result["peak_rss_bytes"] = result["peak_rss_kib"] * 1024

    if result["receiver"] == "sonde":
        records = result["n_records"]
        result["log_bytes_per_msg"] = result["log_memory_bytes"] / records
        result["payload_per_msg"] = result["log_n_bytes"] / records
        result["log_overhead_per_msg"] = result["log_bytes_per_msg"] - result["payload_per_msg"]
        base = result["baseline_rss_kib"]
        result["peak_rss_per_msg"] = (result["peak_rss_kib"] - base) * 1024 / records
        result["end_rss_per_msg"] = (result["final_rss_kib"] - base) * 1024 / records
        if "trimmed_rss_kib" in result:
            result["trimmed_rss_per_msg"] = (result["trimmed_rss_kib"] - base) * 1024 / records


def summarise(runs):
    """Median figures over the successful runs of one receiver."""
    good = [r for r in runs if "error" not in r]
    summary = {"runs": len(runs), "good": len(good), "failures": [r for r in runs if "error" in r]}
    if not good:
        return summary
    keys = set.intersection(*(set(k for k, v in r.items() if isinstance(v, (int, float))
                                  and not isinstance(v, bool)) for r in good))
    for key in keys:
        summary[key] = statistics.median(r[key] for r in good)
    rates = [r["msgs_per_s"] for r in good]
    median = summary["msgs_per_s"]
    summary["spread"] = max(max(rates) - median, median - min(rates)) / median if median else 0
    return summary


# -- the table -----------------------------------------------------------------

def fmt_int(value):
    return f"{value:,.0f}"


def fmt_ratio(value, base):
    if base is None or not base:
        return "—"
    return f"{value / base:.2f}×"


def fmt_mib(kib):
    return f"{kib / 1024:,.1f} MiB"


def failure_text(summary, timeout):
    first = summary["failures"][0]
    if first.get("timed_out"):
        text = f"timed out after {timeout} s"
        got = first.get("count", 0)
        if got:
            text += f" (got {got:,} of {first['expected']:,} messages)"
        return text
    return f"failed: {first['error']}"


def print_table(scenario, count, size, repeat, summaries, timeout):
    spec = SCENARIOS[scenario]
    print()
    print(f"Scenario {scenario}: {count:,} {spec['title']} ({size:,} B payloads), "
          f"median of {repeat} run{'s' if repeat != 1 else ''}")
    base = summaries.get("libsoup", {})
    base_rate = base.get("msgs_per_s")
    base_mb = base.get("mb_per_s")
    base_rss = base.get("peak_rss_kib")

    header = ["receiver", "msgs/s", "×", "MB/s", "×", "peak RSS", "×",
              "log B/msg", "ΔRSS B/msg", "spread"]
    rows = []
    notes = []
    for name, summary in summaries.items():
        label = LABELS[name]
        if summary["good"] == 0:
            rows.append([label, failure_text(summary, timeout)])
            continue
        log_cell = "—"
        rss_cell = "—"
        if name.startswith("sonde"):
            log_cell = (f"{summary['log_bytes_per_msg']:,.1f} = {summary['payload_per_msg']:,.1f}"
                        f" + {summary['log_overhead_per_msg']:.1f}")
            rss_cell = f"{summary['peak_rss_per_msg']:,.0f} / {summary['end_rss_per_msg']:,.0f}"
            if "trimmed_rss_per_msg" in summary:
                rss_cell += f" / {summary['trimmed_rss_per_msg']:,.0f}"
        rows.append([
            label,
            fmt_int(summary["msgs_per_s"]), fmt_ratio(summary["msgs_per_s"], base_rate),
            f"{summary['mb_per_s']:,.1f}", fmt_ratio(summary["mb_per_s"], base_mb),
            fmt_mib(summary["peak_rss_kib"]), fmt_ratio(summary["peak_rss_kib"], base_rss),
            log_cell, rss_cell,
            f"±{summary['spread'] * 100:.0f}%",
        ])
        if summary["failures"]:
            notes.append(f"  {label}: {len(summary['failures'])} of {summary['runs']} runs failed "
                         f"({failure_text(summary, timeout)}); the median is over the others")

    widths = [len(h) for h in header]
    for row in rows:
        if len(row) == len(header):
            widths = [max(w, len(c)) for w, c in zip(widths, row)]
        else:
            widths[0] = max(widths[0], len(row[0]))
    numeric = {1, 2, 3, 4, 5, 6, 9}

    def line(cells):
        out = []
        for i, cell in enumerate(cells):
            out.append(cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    print(line(header))
    print(line(["-" * w for w in widths]))
    for row in rows:
        if len(row) == len(header):
            print(line(row))
        else:
            print(row[0].ljust(widths[0]) + "  " + row[1])
    for note in notes:
        print(note)
    if "sonde" in summaries and summaries["sonde"]["good"]:
        print("  log B/msg: SondeMessageLog's own account (records + arena pages written) per "
              "stored record = payload + overhead")
        print("  ΔRSS B/msg: (peak RSS − RSS before connecting) / records, then the same "
              "with the RSS at the end" +
              (", then after malloc_trim()" if "trimmed_rss_per_msg" in summaries["sonde"] else ""))


# -- the targets ---------------------------------------------------------------

def target_line(name, measured, goal, met):
    return f"target {name}: {measured} (goal {goal}) {'MET' if met else 'MISSED'}"


def sonde_failure(summaries, timeout):
    if "sonde" not in summaries:
        return "Sonde not measured"
    return f"Sonde {failure_text(summaries['sonde'], timeout)}"


def round_ratios(runs, name, reference="libsoup"):
    """@name's msgs/s ÷ @reference's (bare libsoup's) in each round, where
    both succeeded: the two ran back to back, so these show how much of the
    spread is noise that hit both."""
    ratios = []
    for ours, base in zip(runs.get(name, []), runs.get(reference, [])):
        if "msgs_per_s" in ours and "msgs_per_s" in base:
            ratios.append(ours["msgs_per_s"] / base["msgs_per_s"])
    return ratios


def app_targets(scenario, summaries, runs, timeout):
    """A protocol mode's ingest: Sonde + the mode ÷ Sonde with no mode, both
    reading every message's view and label, on the same frames."""
    spec = SCENARIOS[scenario]
    app, reference = summaries.get(spec["app"], {}), summaries.get("sonde-views", {})
    name = f"app-protocol-ingest-{scenario}"
    goal = f"≥ {APP_INGEST_GOAL:.2f}×"
    if not app.get("runs") or not reference.get("runs"):
        return []
    if app.get("good") and reference.get("good"):
        ratio = app["msgs_per_s"] / reference["msgs_per_s"]
        measured = (f"{ratio:.2f}× Sonde without a mode ({fmt_int(app['msgs_per_s'])} vs "
                    f"{fmt_int(reference['msgs_per_s'])} msgs/s")
        rounds = round_ratios(runs, spec["app"], "sonde-views")
        if len(rounds) > 1:
            measured += "; round by round " + ", ".join(f"{r:.2f}×" for r in rounds)
        measured += ")"
        return [target_line(name, measured, goal, ratio >= APP_INGEST_GOAL)]
    failed = app if not app.get("good") else reference
    label = LABELS[spec["app"]] if not app.get("good") else LABELS["sonde-views"]
    return [target_line(name, f"{label} {failure_text(failed, timeout)}", goal, False)]


def targets(scenario, count, summaries, runs, quick, timeout):
    if "app" in SCENARIOS[scenario]:
        return app_targets(scenario, summaries, runs, timeout)
    lines = []
    sonde = summaries.get("sonde", {})
    base = summaries.get("libsoup", {})

    # Ingest: Sonde's msgs/s against the bare libsoup client's.
    goal = f"≥ {INGEST_GOAL:.2f}× bare libsoup"
    if sonde.get("good") and base.get("good"):
        ratio = sonde["msgs_per_s"] / base["msgs_per_s"]
        measured = (f"{ratio:.2f}× bare libsoup ({fmt_int(sonde['msgs_per_s'])} vs "
                    f"{fmt_int(base['msgs_per_s'])} msgs/s")
        rounds = round_ratios(runs, "sonde")
        if len(rounds) > 1:
            measured += "; round by round " + ", ".join(f"{r:.2f}×" for r in rounds)
        measured += ")"
        lines.append(target_line(f"ingest-{scenario}", measured, goal, ratio >= INGEST_GOAL))
    else:
        why = sonde_failure(summaries, timeout) if not sonde.get("good") else "bare libsoup failed"
        lines.append(target_line(f"ingest-{scenario}", why, goal, False))

    # Recording: keeps up (no gap) at ≥ 0.9× the ingest without it, in a
    # database of ≤ 1.3× the payload + 40 B per message.
    record = summaries.get("sonde-record", {})
    if record.get("runs"):
        goal = f"≥ {RECORD_INGEST_GOAL:.2f}× Sonde without recording, no gap"
        if record.get("good") and sonde.get("good"):
            ratio = record["msgs_per_s"] / sonde["msgs_per_s"]
            measured = (f"{ratio:.2f}× ({fmt_int(record['msgs_per_s'])} vs {fmt_int(sonde['msgs_per_s'])} msgs/s; "
                        f"{record['record_gaps']:.0f} gaps; flushed {record['record_flush_ms']:,.0f} ms after "
                        f"the last message)")
            lines.append(target_line(f"record-ingest-{scenario}", measured, goal,
                                     ratio >= RECORD_INGEST_GOAL and record["record_gaps"] == 0))
            messages = record["record_messages"]
            payload = record["record_payload_bytes"]
            allowed = RECORD_DISK_FACTOR * payload + RECORD_DISK_PER_MSG * messages
            measured = (f"{record['record_db_bytes'] / 1e6:,.1f} MB for {payload / 1e6:,.1f} MB of payload in "
                        f"{messages:,.0f} messages = {record['record_db_bytes'] / messages:,.1f} B per message "
                        f"({record['record_db_bytes'] / payload:.2f}× the payload)")
            lines.append(target_line(f"record-disk-{scenario}", measured,
                                     f"≤ {RECORD_DISK_FACTOR}× payload + {RECORD_DISK_PER_MSG} B per message",
                                     record["record_db_bytes"] <= allowed))
        else:
            why = failure_text(record, timeout) if not record.get("good") else "Sonde failed"
            lines.append(target_line(f"record-ingest-{scenario}", f"Sonde + recording {why}", goal, False))

    # Memory per stored message, by the log's own account.
    goal = f"≤ payload + {OVERHEAD_GOAL:.0f} B"
    if sonde.get("good"):
        measured = (f"{sonde['log_bytes_per_msg']:,.1f} B per stored message = payload "
                    f"{sonde['payload_per_msg']:,.1f} + {sonde['log_overhead_per_msg']:.1f}")
        lines.append(target_line(f"memory-{scenario}", measured, goal,
                                 sonde["log_overhead_per_msg"] <= OVERHEAD_GOAL))
    else:
        lines.append(target_line(f"memory-{scenario}", sonde_failure(summaries, timeout), goal, False))

    # The whole process with a 1M-message log of 100-byte messages.
    if scenario == "small":
        goal = f"< {RSS_GOAL_BYTES / 1e6:.0f} MB"
        if count < RSS_GOAL_COUNT:
            lines.append(f"target rss-1m-small: not measured with {count:,} messages "
                         f"(goal {goal} at {RSS_GOAL_COUNT:,}) SKIPPED"
                         + (" (--quick)" if quick else ""))
        elif sonde.get("good"):
            peak = sonde["peak_rss_bytes"]
            end = sonde["final_rss_kib"] * 1024
            measured = (f"peak RSS {peak / 1e6:,.1f} MB with {count:,} messages in the log "
                        f"({end / 1e6:,.1f} MB once the flood is over)")
            lines.append(target_line("rss-1m-small", measured, goal, peak < RSS_GOAL_BYTES))
        else:
            lines.append(target_line("rss-1m-small", sonde_failure(summaries, timeout), goal, False))
    return lines


def comparisons(summaries, runs):
    """Ratios that are not targets: what showing frames costs (Sonde with
    frames shown ÷ Sonde without), and Sonde before issue 13 ÷ bare libsoup
    next to Sonde now ÷ bare libsoup."""
    lines = []

    def ratio_text(name, reference):
        ours, base = summaries.get(name, {}), summaries.get(reference, {})
        if not ours.get("good") or not base.get("good"):
            return None
        text = f"{ours['msgs_per_s'] / base['msgs_per_s']:.2f}×"
        rounds = round_ratios(runs, name, reference)
        if len(rounds) > 1:
            text += " (round by round " + ", ".join(f"{r:.2f}×" for r in rounds) + ")"
        return text

    recording = ratio_text("sonde-record", "sonde")
    if recording is not None:
        lines.append(f"  recording: Sonde + recording ÷ Sonde = {recording} msgs/s")
    frames = ratio_text("sonde-frames", "sonde")
    if frames is not None:
        lines.append(f"  frames shown: Sonde + frames shown ÷ Sonde = {frames} msgs/s")
    for name in ("sonde-socketio", "sonde-jsonrpc"):
        mode = ratio_text(name, "sonde-views")
        if mode is not None:
            views = ratio_text("sonde-views", "sonde")
            lines.append(f"  {APP_PROTOCOLS[name]}: {LABELS[name]} ÷ Sonde, no mode = {mode} msgs/s"
                         + (f"; Sonde, no mode (a session, views read) ÷ Sonde core = {views}"
                            if views is not None else ""))
            ours, base = summaries[name], summaries["sonde-views"]
            if "cpu_ms" in ours and "cpu_ms" in base:
                lines.append(f"  {APP_PROTOCOLS[name]}: CPU until the close, {LABELS[name]} vs Sonde, no mode: "
                             f"process {ours['cpu_ms'] / 1000:.2f} vs {base['cpu_ms'] / 1000:.2f} s "
                             f"({ours['cpu_ms'] / base['cpu_ms']:.2f}×), main thread "
                             f"{ours['main_cpu_ms'] / 1000:.2f} vs {base['main_cpu_ms'] / 1000:.2f} s "
                             f"({ours['main_cpu_ms'] / base['main_cpu_ms']:.2f}×)")
    before = ratio_text("sonde-before", "libsoup")
    now = ratio_text("sonde", "libsoup")
    if before is not None:
        lines.append(f"  before issue 13: Sonde before #13 ÷ bare libsoup = {before}; "
                     f"Sonde now ÷ bare libsoup = {now or '—'}")
    return lines


# -- JSON path extraction ------------------------------------------------------

def run_json_path(build, quick):
    """Runs bench-json-path, prints its table and returns (target lines, ok)."""
    command = [os.path.join(build, "bench", "bench-json-path")]
    if quick:
        command.append("--quick")
    goals = {"json-path-small": "≥ 5× json-glib", "json-path-large": "≥ 50× json-glib"}
    try:
        done = subprocess.run(command, env=receiver_env(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=JSON_PATH_TIMEOUT, start_new_session=True)
        out = done.stdout.decode(errors="replace")
        err = done.stderr.decode(errors="replace").strip()
        failure = None if done.returncode == 0 else f"exit status {done.returncode}: {err}"
    except (OSError, subprocess.TimeoutExpired) as e:
        out, failure = "", str(e)

    print()
    lines = []
    for line in out.splitlines():
        if line.startswith("target "):
            lines.append(line)
        else:
            print(line)
    if failure:
        print(f"  bench-json-path failed: {failure}")
    for name, goal in goals.items():
        if not any(line.startswith(f"target {name}:") for line in lines):
            lines.append(target_line(name, f"not measured ({failure or 'no target line'})", goal, False))
    return lines, failure is None


# -- charts --------------------------------------------------------------------

def display_command(command):
    """@command on a display: under xvfb-run when there is none, and with a
    session bus of its own when there is none (the window registers its
    application on it)."""
    prefix = []
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        if shutil.which("xvfb-run") is None:
            raise BenchError("no display and no xvfb-run")
        prefix = ["xvfb-run", "-a", "-s", XVFB_SCREEN]
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        if shutil.which("dbus-run-session") is None:
            raise BenchError("no session bus and no dbus-run-session")
        prefix += ["dbus-run-session", "--"]
    return prefix + command


def display_env(build):
    env = receiver_env()
    env["GSK_RENDERER"] = "cairo"
    env["GDK_BACKEND"] = "x11"
    env["GTK_A11Y"] = "none"
    # Uninstalled: the window's GSettings schema is compiled into the build tree.
    schemas = os.path.join(build, "data")
    env["GSETTINGS_SCHEMA_DIR"] = os.pathsep.join(
        p for p in (schemas, env.get("GSETTINGS_SCHEMA_DIR")) if p)
    return env


def run_program(name, command, env, timeout, goals, keep):
    """Runs one benchmark program, prints its table and returns (its target
    lines that @keep accepts, ok). A goal in @goals (name → goal) that no line
    reports is added as not measured."""
    log(f"running {name}…")
    failure = None
    try:
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
            out, err = process.communicate()
            failure = f"timed out after {timeout} s"
        out = out.decode(errors="replace")
        err = err.decode(errors="replace").strip()
        if failure is None and process.returncode != 0:
            last = err.splitlines()[-1] if err else "nothing on stderr"
            failure = f"exit status {process.returncode}: {last}"
    except (OSError, BenchError) as e:
        out, failure = "", str(e)

    print()
    lines = []
    for line in out.splitlines():
        if line.startswith("target "):
            if keep(line):
                lines.append(line)
            else:
                print(line)
        else:
            print(line)
    if failure:
        print(f"  {name} failed: {failure}")
    for goal_name, goal in goals.items():
        if not any(line.startswith(f"target {goal_name}:") for line in lines):
            lines.append(target_line(goal_name, f"not measured ({failure or 'no target line'})", goal, False))
    return lines, failure is None


def run_chart(build, quick):
    """bench-series, chart-fps and ui-flood --chart: returns (target lines, ok)."""
    lines = []
    ok = True
    bench = os.path.join(build, "bench")
    everything = lambda line: True

    command = [os.path.join(bench, "bench-series")] + (["--quick"] if quick else [])
    got, good = run_program("bench-series", command, receiver_env(), 600,
                            {"series-reduce": "≤ 4 ms"}, everything)
    lines += got
    ok = ok and good

    command = [os.path.join(bench, "chart-fps")] + (["--seconds", "3"] if quick else [])
    try:
        command = display_command(command)
    except BenchError as e:
        command = None
        problem = str(e)
    goals = {"chart-fps": "≥ 60", "chart-fps-live": "≥ 60"}
    if command is not None:
        got, good = run_program("chart-fps", command, display_env(build), 600, goals, everything)
    else:
        got, good = [target_line(n, f"not measured ({problem})", g, False) for n, g in goals.items()], False
    lines += got
    ok = ok and good

    command = [os.path.join(bench, "ui-flood"), "--chart", CHART_PATH] + (["--duration", "5"] if quick else [])
    try:
        command = display_command(command)
    except BenchError as e:
        command = None
        problem = str(e)
    goals = {"chart-flood-frame-gap-median": "≤ 50 ms"}
    if command is not None:
        got, good = run_program("ui-flood --chart", command, display_env(build), 900, goals,
                                lambda line: line.startswith("target chart-flood-"))
    else:
        got, good = [target_line(n, f"not measured ({problem})", g, False) for n, g in goals.items()], False
    lines += got
    ok = ok and good
    return lines, ok


# -- main ----------------------------------------------------------------------

def environment_line():
    parts = [f"{os.cpu_count()} CPUs"]
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    parts.append(line.split(":", 1)[1].strip())
                    break
    except OSError:
        pass
    parts.append(f"Linux {platform.release()}")
    try:
        soup = subprocess.run(["pkg-config", "--modversion", "libsoup-3.0"], capture_output=True,
                              text=True, timeout=10).stdout.strip()
        if soup:
            parts.append(f"libsoup {soup}")
    except (OSError, subprocess.TimeoutExpired):
        pass
    node = shutil.which("node")
    if node:
        try:
            version = subprocess.run([node, "--version"], capture_output=True, text=True,
                                     timeout=10).stdout.strip()
            parts.append(f"node {version}")
        except (OSError, subprocess.TimeoutExpired):
            pass
    try:
        version = subprocess.run([PYTHON, "-c", "import websockets; print(websockets.__version__)"],
                                 capture_output=True, text=True, timeout=10).stdout.strip()
        if version:
            parts.append(f"websockets {version}")
    except (OSError, subprocess.TimeoutExpired):
        pass
    try:
        parts.append("load average %.2f" % os.getloadavg()[0])
    except OSError:
        pass
    return ", ".join(parts)


def parse_args():
    parser = argparse.ArgumentParser(
        description="Sonde's benchmarks: a loopback WebSocket flood received by bare "
                    "libsoup, Sonde's core, Node ws and Python websockets; JSON path extraction; "
                    "charts.")
    parser.add_argument("--build", default=os.path.join(TOP, "_build"),
                        help="meson build directory (default: _build)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 100,000 small and 4,000 large messages, one run each "
                             "unless --repeat")
    parser.add_argument("--suite", action="append", choices=SUITES,
                        help="run only this benchmark: the ingest flood, JSON path extraction or "
                             "charts (bench-series, chart-fps, ui-flood --chart) (repeatable; "
                             "default: all)")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS),
                        help="run only this ingest scenario (repeatable; default: all)")
    parser.add_argument("--receiver", action="append", choices=RECEIVERS,
                        help="run only this receiver (repeatable; default: all; "
                             "libsoup is always run as the reference)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs per receiver and scenario; the median is shown (default 3, "
                             "1 with --quick)")
    parser.add_argument("--count", type=int, default=None,
                        help="override the number of messages of every scenario run")
    parser.add_argument("--timeout", type=int, default=120,
                        help="seconds one receiver may take for one run (default 120)")
    parser.add_argument("--before-build", metavar="DIR",
                        help="another build directory (e.g. of a commit before issue 13) whose "
                             "bench/recv-sonde runs as the receiver sonde-before, on the same "
                             "floods")
    parser.add_argument("--one-core", action="store_true",
                        help="pin every receiver to CPU 0 and every flood-server to CPU 1 (taskset): "
                             "a receiver's threads share one core")
    parser.add_argument("--json", metavar="FILE",
                        help="also write every raw result to FILE")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when a target is missed")
    args = parser.parse_args()
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    if args.repeat < 1 or args.timeout < 1 or (args.count is not None and args.count < 1):
        parser.error("--repeat, --timeout and --count must be positive")
    return args


def main():
    args = parse_args()
    build = os.path.abspath(args.build)
    suites = args.suite or SUITES
    needed = ["bench-json-path"] if "json-path" in suites else []
    if "ingest" in suites:
        needed += ["flood-server", "recv-libsoup", "recv-sonde"]
    if "chart" in suites:
        needed += ["bench-series", "chart-fps", "ui-flood", "flood-server"]
    for exe in needed:
        if not os.access(os.path.join(build, "bench", exe), os.X_OK):
            print(f"run.py: {build}/bench/{exe} is missing: build first "
                  f"(meson compile -C {args.build})", file=sys.stderr)
            return 2

    scenarios = args.scenario or list(SCENARIOS)
    scenarios = [s for s in SCENARIOS if s in scenarios] if "ingest" in suites else []
    global BEFORE_BUILD, ONE_CORE
    ONE_CORE = args.one_core
    if ONE_CORE and (shutil.which("taskset") is None or (os.cpu_count() or 1) < 2):
        print("run.py: --one-core needs taskset and two CPUs", file=sys.stderr)
        return 2
    if args.before_build:
        BEFORE_BUILD = os.path.abspath(args.before_build)
        if not os.access(os.path.join(BEFORE_BUILD, "bench", "recv-sonde"), os.X_OK):
            print(f"run.py: {BEFORE_BUILD}/bench/recv-sonde is missing", file=sys.stderr)
            return 2
    receivers = [r for r in RECEIVERS if r == "libsoup" or not args.receiver or r in args.receiver]
    if BEFORE_BUILD is None:
        receivers = [r for r in receivers if r != "sonde-before"]

    started = time.monotonic()
    print(f"Sonde benchmarks ({', '.join(suites)}){' (--quick)' if args.quick else ''}"
          f"{' (--one-core: receivers on CPU 0, servers on CPU 1)' if ONE_CORE else ''}: {environment_line()}")
    all_targets = []
    raw = {}
    broken = False

    for scenario in scenarios:
        spec = SCENARIOS[scenario]
        count = args.count or (spec["quick_count"] if args.quick else spec["count"])
        size = spec["size"]
        if "app" in spec:
            # The mode always runs beside its reference, Sonde with no mode.
            wanted = receivers + (["sonde-views"] if spec["app"] in receivers else [])
            chosen = [r for r in PROTOCOL_RECEIVERS if r in wanted and
                      (r not in APP_PROTOCOLS or r in ("sonde-views", spec["app"]))]
        else:
            chosen = [r for r in receivers if r not in APP_PROTOCOLS]
        runs = {name: [] for name in chosen}
        for rep in range(args.repeat):
            for name in chosen:
                try:
                    result = measure(name, build, count, size, args.timeout,
                                     spec.get("framing"), spec.get("extra", 0))
                except BenchError as e:
                    result = {"receiver": name, "count": 0, "expected": count, "error": str(e)}
                if "error" not in result:
                    derive(result)
                runs[name].append(result)
                if "error" in result:
                    status = ("timed out" if result.get("timed_out") else "failed: "
                              + result["error"])
                else:
                    status = (f"{result['msgs_per_s']:,.0f} msgs/s, "
                              f"peak RSS {result['peak_rss_kib'] / 1024:,.1f} MiB")
                log(f"[{time.monotonic() - started:6.1f} s] {scenario} run {rep + 1}/{args.repeat} "
                    f"{LABELS[name]}: {status}")

        summaries = {name: summarise(runs[name]) for name in chosen}
        raw[scenario] = {"count": count, "size": size, "runs": runs}
        for name in ("libsoup", "sonde"):
            if name in summaries and summaries[name]["failures"]:
                broken = True
        print_table(scenario, count, size, args.repeat, summaries, args.timeout)
        for line in comparisons(summaries, runs):
            print(line)
        all_targets += targets(scenario, count, summaries, runs, args.quick, args.timeout)

    if "json-path" in suites:
        lines, ok = run_json_path(build, args.quick)
        all_targets += lines
        if not ok:
            broken = True

    if "chart" in suites:
        lines, ok = run_chart(build, args.quick)
        all_targets += lines
        if not ok:
            broken = True

    elapsed = time.monotonic() - started
    print()
    print(f"Benchmark took {elapsed:.0f} s.")
    for line in all_targets:
        print(line)
    sys.stdout.flush()

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"elapsed_seconds": elapsed, "scenarios": raw}, f, indent=2)
            f.write("\n")

    if broken:
        return 1
    if args.strict and any(line.endswith("MISSED") for line in all_targets):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
