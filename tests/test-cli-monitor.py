#!/usr/bin/python3
# test-cli-monitor.py: `sonde-cli monitor` watching two profiles of a
# Python `websockets` server (nobody here wrote it), scraped by a real
# Prometheus (Debian's) over its HTTP API and linted by promtool; alerts as
# JSON lines and POSTed to a webhook that fails once (retried); chart series
# marked for export served as sonde_value; SIGHUP adds and removes profiles
# (and drops the sonde_value lines a profile no longer exports); SIGTERM
# closes everything, flushes the recording and exits 0; bad usage exits 2.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import asyncio
import http.server
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import zlib

from sonde_test_cli import CLI, die_with_parent, finish, ok, run

import websockets
import websockets.server

TMP = tempfile.mkdtemp(prefix="sonde-test-monitor-")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- a feed: {"seq":N,"price":100+N,"sym":"A" or "B"} every 20 ms on any path

def start_feed():
    ready = threading.Event()
    state = {}

    async def handler(ws, path=None):
        seq = 0
        # /secure wants the bearer token the monitor reads from the
        # environment (the profile's auth.secret_env).
        if (path or "").startswith("/secure") and ws.request_headers.get("Authorization") != "Bearer s3cret":
            await ws.close(1008, "no token")
            return
        try:
            while True:
                seq += 1
                await ws.send(json.dumps({"seq": seq, "price": 100 + seq, "sym": "AB"[seq % 2]}))
                await asyncio.sleep(0.02)
        except websockets.ConnectionClosed:
            pass

    async def main():
        server = await websockets.server.serve(handler, "127.0.0.1", 0)
        state["port"] = server.sockets[0].getsockname()[1]
        state["loop"] = asyncio.get_running_loop()
        state["stop"] = asyncio.Event()
        ready.set()
        await state["stop"].wait()
        server.close()
        await server.wait_closed()

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    ready.wait(10)
    return state, thread


# -- a webhook: the first POST gets 500, the others 200 -----------------------

class Hook(http.server.BaseHTTPRequestHandler):
    bodies = []
    calls = 0

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        Hook.calls += 1
        if Hook.calls == 1:
            self.send_response(500)
            self.end_headers()
            return
        Hook.bodies.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def get(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except OSError:
        return 0, ""


def sample(metrics, name):
    for line in metrics.splitlines():
        if line.startswith(name + " "):
            return float(line[len(name) + 1:].split(" ")[0])
    return None


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


def charts(*series):
    """A chart layout of one chart: (path, split, export) each."""
    return {"window_s": 60, "charts": [{"series": [
        dict({"path": p}, **({"split": sp} if sp else {}), **({"export": True} if e else {}))
        for p, sp, e in series]}]}


def write_profiles(path, port, names, layouts=None):
    profiles = []
    for i, name in enumerate(names):
        profile = {"id": "%08x-0000-4000-8000-000000000000" % zlib.crc32(name.encode()), "name": name,
                   "url": "ws://127.0.0.1:%d/%s" % (port, name.lower())}
        if name in ("Secure", "Locked"):
            profile["auth"] = {"kind": "bearer",
                               "secret_env": "SONDE_TEST_TOKEN" if name == "Secure" else "SONDE_TEST_UNSET"}
        if name == "Ticker":
            profile["notifications"] = {"thresholds": [{"path": "$.price", "op": ">", "value": 150}],
                                        "cooldown_s": 3600}
            # The feed's seq never skips; its price leaves the band past 120.
            profile["integrity"] = {"sequence": {"path": "$.seq"},
                                    "bands": [{"path": "$.price", "min": 0, "max": 120}]}
        if layouts and name in layouts:
            profile["charts"] = layouts[name]
        profiles.append(profile)
    with open(path + ".tmp", "w") as f:
        json.dump({"schema": 1, "profiles": profiles}, f)
    os.replace(path + ".tmp", path)


def main():
    prometheus = shutil.which("prometheus")
    promtool = shutil.which("promtool")
    feed, feed_thread = start_feed()
    port = feed["port"]
    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    hook_url = "http://127.0.0.1:%d/hook" % hook.server_address[1]

    profiles = os.path.join(TMP, "profiles.json")
    db = os.path.join(TMP, "monitor.sqlite")
    # Ticker exports $.price, and $.price by $.sym (a line per symbol), not
    # $.seq; Secure exports $.seq, then (after SIGHUP) $.price instead.
    layouts = {"Ticker": charts(("$.price", None, True), ("$.seq", None, False), ("$.price", "$.sym", True)),
               "Secure": charts(("$.seq", None, True), ("$.price", None, False))}
    write_profiles(profiles, port, ["Ticker", "Sensors", "Secure", "Locked"], layouts)
    metrics_port = free_port()
    metrics_url = "http://127.0.0.1:%d/metrics" % metrics_port

    # Bad usage first: exit 2, and says what.
    status, out, err = run("monitor", "--profiles", profiles, "Nope")
    ok(status == 2 and "Nope" in err, "an unknown profile: exit 2, named", "status %d, %s" % (status, err))
    status, out, err = run("monitor", "--profiles", profiles, "--metrics", "127.0.0.1:http")
    ok(status == 2 and "port must be a number" in err, "a bad --metrics address: exit 2", err)
    status, out, err = run("monitor", "--profiles", profiles, "--webhook", "ftp://example.org/x")
    ok(status == 2 and "not a webhook URL" in err, "a bad webhook URL: exit 2", err)

    monitor = subprocess.Popen([CLI, "monitor", "--profiles", profiles, "--metrics", "127.0.0.1:%d" % metrics_port,
                                "--record", db, "--webhook", hook_url], preexec_fn=die_with_parent,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               env=dict(os.environ, SONDE_TEST_TOKEN="s3cret"))

    def scraped():
        status, text = get(metrics_url)
        return text if status == 200 and (sample(text, 'sonde_messages_total{profile="Ticker",direction="in"}')
                                          or 0) > 10 else None

    text = wait_for(scraped, 20) or ""

    # The port is taken now: a second monitor says so.
    status, out, err = run("monitor", "--profiles", profiles, "--metrics", "127.0.0.1:%d" % metrics_port,
                           timeout=20)
    ok(status == 2 and "cannot be served" in err, "the metrics port in use: exit 2", "status %d, %s" % (status, err))
    ok(sample(text, 'sonde_connection_up{profile="Ticker"}') == 1 and
       sample(text, 'sonde_connection_up{profile="Sensors"}') == 1,
       "both profiles are up", text[:2000])
    text = wait_for(lambda: (lambda t: t if sample(t, 'sonde_connection_up{profile="Secure"}') == 1 else None)(
        get(metrics_url)[1]), 10) or ""
    ok(sample(text, 'sonde_connection_up{profile="Secure"}') == 1,
       "the secret from the variable the profile names opens the secured feed", text[:2000])
    ok((sample(text, 'sonde_messages_total{profile="Sensors",direction="in"}') or 0) > 0 and
       sample(text, 'sonde_messages_total{profile="Ticker",direction="out"}') == 0,
       "messages counted by direction", text[:2000])
    def banded():
        text = get(metrics_url)[1]
        return text if (sample(text, 'sonde_integrity_violations_total{profile="Ticker",kind="band"}') or 0) > 0 \
            else None

    text = wait_for(banded, 20) or text
    ok((sample(text, 'sonde_integrity_violations_total{profile="Ticker",kind="band"}') or 0) > 0 and
       sample(text, 'sonde_integrity_violations_total{profile="Ticker",kind="gap"}') == 0 and
       'sonde_integrity_violations_total{profile="Sensors"' not in text,
       "feed-integrity violations by kind, for the profile that has rules", text[:3000])
    # Exported chart series: the latest value, one line per split value, and
    # nothing of what is not marked.
    price = 'sonde_value{profile="Ticker",series="$.price"}'
    first = sample(text, price)
    ok(first is not None and first > 100 and
       sample(text, 'sonde_value{profile="Ticker",series="$.price by $.sym=A"}') is not None and
       sample(text, 'sonde_value{profile="Ticker",series="$.price by $.sym=B"}') is not None and
       sample(text, 'sonde_value{profile="Secure",series="$.seq"}') is not None and
       'series="$.seq"}' not in text.replace('sonde_value{profile="Secure",series="$.seq"}', "") and
       'sonde_value{profile="Sensors"' not in text and "# HELP sonde_value " in text and
       "# TYPE sonde_value gauge" in text,
       "chart series marked for export are sonde_value{profile,series}", text[:4000])
    later = wait_for(lambda: (lambda v: v if v and first and v > first else None)(sample(get(metrics_url)[1], price)),
                     10)
    ok(later is not None and later - first < 1000, "sonde_value follows the feed", "%s -> %s" % (first, later))
    a = sample(text, 'sonde_value{profile="Ticker",series="$.price by $.sym=A"}') or 0
    b = sample(text, 'sonde_value{profile="Ticker",series="$.price by $.sym=B"}') or 0
    ok(abs(a - b) % 2 == 1 and abs(a - first) < 50, "a split line holds its own symbol's value", "A %s, B %s" % (a, b))

    age = sample(text, 'sonde_last_message_age_seconds{profile="Ticker"}')
    ok(age is not None and age < 1.0, "the last message's age is read at the scrape (a feed of 50 msg/s)", str(age))

    if promtool:
        lint = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True)
        ok(lint.returncode == 0 and not lint.stdout and not lint.stderr, "promtool check metrics: clean",
           (lint.stdout + lint.stderr).decode())
    else:
        ok(True, "promtool check metrics # SKIP promtool is not installed")

    # The Grafana dashboard shipped in data/grafana reads only what the
    # monitor exports, in PromQL that Prometheus accepts.
    source = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(source, "data", "grafana", "sonde-feeds.json")) as f:
        dashboard = json.load(f)
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    names = {re.sub(r"_(bucket|sum|count)$", "", n) for e in exprs for n in re.findall(r"\bsonde_[a-z_]+", e)}
    exported = set(re.findall(r"^# TYPE (sonde_[a-z_]+)", text, re.M))
    exported |= {n[:-len("_total")] for n in exported if n.endswith("_total")} | \
                {n + "_total" for n in exported if not n.endswith("_total")}
    missing = sorted(n for n in names if n not in exported)
    ok(exprs and not missing, "the dashboard's %d queries read only exported metrics" % len(exprs), repr(missing))
    if promtool:
        rules = os.path.join(TMP, "rules.yml")
        with open(rules, "w") as f:
            f.write("groups:\n  - name: dashboard\n    rules:\n")
            for i, e in enumerate(exprs):
                f.write("      - record: sonde:dashboard_%d\n        expr: %s\n" % (i, json.dumps(e)))
        check = subprocess.run([promtool, "check", "rules", rules], capture_output=True)
        ok(check.returncode == 0, "promtool accepts every dashboard query", (check.stdout + check.stderr).decode())

    # A real Prometheus scrapes the monitor; its API answers.
    if prometheus:
        web_port = free_port()
        config = os.path.join(TMP, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n"
                    "  - job_name: sonde\n    static_configs:\n      - targets: ['127.0.0.1:%d']\n" % metrics_port)
        server = subprocess.Popen([prometheus, "--config.file", config,
                                   "--web.listen-address=127.0.0.1:%d" % web_port,
                                   "--storage.tsdb.path=%s" % os.path.join(TMP, "tsdb")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        query = "http://127.0.0.1:%d/api/v1/query?query=%s" % (
            web_port, urllib.parse.quote('sonde_messages_total{profile="Ticker",direction="in"}'))

        def answered():
            status, body = get(query)
            if status != 200:
                return None
            result = json.loads(body)["data"]["result"]
            return result[0]["value"][1] if result else None

        value = wait_for(answered, 40)
        ok(value is not None and float(value) > 10, "a real Prometheus scrapes the monitor", str(value))
        up = "http://127.0.0.1:%d/api/v1/query?query=%s" % (web_port, urllib.parse.quote("up{job=\"sonde\"}"))
        status, body = get(up)
        ok(status == 200 and json.loads(body)["data"]["result"][0]["value"][1] == "1",
           "Prometheus says the target is up (the exposition parsed)", body[:500])
        values = "http://127.0.0.1:%d/api/v1/query?query=%s" % (
            web_port, urllib.parse.quote('sonde_value{profile="Ticker"}'))
        status, body = get(values)
        result = json.loads(body)["data"]["result"] if status == 200 else []
        ok(sorted(r["metric"].get("series") for r in result) == ["$.price", "$.price by $.sym=A",
                                                                 "$.price by $.sym=B"] and
           all(float(r["value"][1]) > 100 for r in result),
           "Prometheus queries sonde_value by series", body[:1000])
        server.send_signal(signal.SIGTERM)
        server.wait(20)
    else:
        ok(True, "a real Prometheus scrapes the monitor # SKIP prometheus is not installed")

    # The alert: a JSON line, and the webhook (its first answer is a 500: retried).
    output = b""
    alerts = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not ({"$.price > 150", "The profile cannot connect"} <=
                                               {a.get("title") for a in alerts}):
        ready, _, _ = select.select([monitor.stdout], [], [], 0.5)
        if ready:
            output += os.read(monitor.stdout.fileno(), 65536)
            alerts = [json.loads(line) for line in output.split(b"\n")[:-1]]
    alert = next((a for a in alerts if a.get("profile") == "Ticker" and a.get("title") == "$.price > 150"), {})
    ok(alert.get("body", "").startswith("It is now") and "text" in alert, "an alert is a JSON line on stdout",
       repr(output[:500]))
    ok(any(a.get("profile") == "Ticker" and "band" in (a.get("title", "") + a.get("body", "")).lower()
           for a in alerts), "a feed-integrity violation is an alert too", repr(output[:1500]))
    locked = next((a for a in alerts if a.get("profile") == "Locked"), {})
    ok(locked.get("title") == "The profile cannot connect" and "SONDE_TEST_UNSET" in locked.get("body", ""),
       "a profile whose secret variable is not set: an alert names it", repr(locked))
    ok(wait_for(lambda: [b for b in Hook.bodies if b.get("title") == "$.price > 150"], 15) and
       Hook.calls >= 3 and len(Hook.bodies) == Hook.calls - 1 and
       all(b.get("text", "").startswith(b.get("profile", "?") + ": ") for b in Hook.bodies),
       "the webhook gets every alert in order, the one refused by a 500 retried",
       "%d calls, %r" % (Hook.calls, Hook.bodies))

    # SIGHUP: Sensors goes, Echo comes; Ticker is left alone; Secure exports
    # $.price instead of $.seq.
    before = sample(get(metrics_url)[1], 'sonde_reconnects_total{profile="Ticker"}')
    layouts["Secure"] = charts(("$.seq", None, False), ("$.price", None, True))
    write_profiles(profiles, port, ["Ticker", "Echo", "Secure", "Locked"], layouts)
    monitor.send_signal(signal.SIGHUP)

    def reloaded():
        text = get(metrics_url)[1]
        return text if ('profile="Echo"' in text and 'profile="Sensors"' not in text and
                        sample(text, 'sonde_connection_up{profile="Echo"}') == 1 and
                        sample(text, 'sonde_value{profile="Secure",series="$.price"}') is not None) else None

    text = wait_for(reloaded, 20) or ""
    ok(bool(text), "SIGHUP: a profile added, one removed (its series gone)", text[:1500])
    ok('sonde_value{profile="Secure",series="$.seq"}' not in text and
       (sample(text, 'sonde_value{profile="Secure",series="$.price"}') or 0) > 100 and
       sample(text, 'sonde_value{profile="Ticker",series="$.price"}') is not None,
       "SIGHUP: a changed export set drops the lines no longer exported", text[:4000])
    ok(sample(text, 'sonde_reconnects_total{profile="Ticker"}') == before == 0 and
       sample(text, 'sonde_connection_up{profile="Ticker"}') == 1,
       "SIGHUP: the unchanged profile is not touched", text[:1500])

    # SIGTERM: every connection closed, the recording flushed, exit 0.
    monitor.send_signal(signal.SIGTERM)
    try:
        monitor.wait(20)
    except subprocess.TimeoutExpired:
        monitor.kill()
    err = monitor.stderr.read().decode()
    ok(monitor.returncode == 0 and "stopping" in err and "Ticker: closed" in err and "s3cret" not in err,
       "SIGTERM: connections closed, exit 0", "status %s, %s" % (monitor.returncode, err[-1500:]))
    status, out, err = run("history", "list", "--db", db)
    ok(status == 0 and "Ticker" in out and "Echo" in out, "every profile's session was recorded",
       "status %d, %s %s" % (status, out, err))

    # Recording into a database nobody serves: the feed is watched all the
    # same, the waiting recording is an alert (stdout and webhooks), and
    # SIGTERM still ends it within the bound, saying what was not written.
    dead = "postgresql://sonde@127.0.0.1:%d/none?connect_timeout=2" % free_port()
    write_profiles(profiles, port, ["Ticker"], layouts)
    lone = subprocess.Popen([CLI, "monitor", "--profiles", profiles, "--record", dead], preexec_fn=die_with_parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    line = b""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and b'"Recording"' not in line:
        ready, _, _ = select.select([lone.stdout], [], [], 1)
        if ready:
            line = lone.stdout.readline()
    alert = json.loads(line) if line.startswith(b"{") else {}
    ok(alert.get("title") == "Recording" and "waits for the database" in alert.get("body", "") and
       alert.get("profile") == "Ticker",
       "a recording waiting for its database is an alert", repr(line))
    lone.send_signal(signal.SIGTERM)
    try:
        lone.wait(20)
    except subprocess.TimeoutExpired:
        lone.kill()
        lone.wait()
    rest = lone.stdout.read().decode()
    ok(lone.returncode == 0 and "not written" in rest,
       "SIGTERM with the database still down: exit 0, the unwritten records said",
       "status %s, %s" % (lone.returncode, rest[-800:]))

    feed["loop"].call_soon_threadsafe(feed["stop"].set)
    feed_thread.join(5)
    hook.shutdown()
    shutil.rmtree(TMP, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    raise SystemExit(main())
