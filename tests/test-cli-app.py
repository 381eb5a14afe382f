#!/usr/bin/python3
# test-cli-app.py: `sonde-cli connect --app-protocol json-rpc` against a
# JSON-RPC 2.0 server nobody here wrote (rpc-websockets, npm, in
# tests/servers/jsonrpc-peer.js): calls paired with their responses (the
# method and the round trip in the label, errors said), the subscription
# sent automatically and again after the server restarts, --where and
# --extract reading the decoded view, and bad arguments refused.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from sonde_test_cli import CLI, die_with_parent, finish, ok, run, start_node_peer, stop_peer


def start_peer(port=0):
    return start_node_peer("jsonrpc-peer.js", "--lifetime", "60", *(["--port", str(port)] if port else []))


def lines_of(out):
    return [json.loads(line) for line in out.splitlines() if line]


def main():
    if shutil.which("node") is None:
        print("1..0 # SKIP node is not installed")
        return 0
    peer, port = start_peer()
    url = "ws://127.0.0.1:%d/" % port

    status, out, err = run("connect", url, "--app-protocol", "json-rpc", "--subscribe", 'rpc.on ["ticks"]',
                           "--call", "sum [2,3]", "--call", "fail []", "--count", "6", "--timeout", "20")
    records = lines_of(out)
    sent = [r for r in records if r.get("dir") == "out"]
    got = [r for r in records if r.get("dir") == "in"]
    ok(status == 0, "connect --app-protocol json-rpc", "status %d, %s" % (status, err))
    ok(any(r.get("automatic") and r.get("label") == "rpc.on" for r in sent),
       "the subscription is sent on its own, labelled by its method", json.dumps(sent))
    summed = [r for r in got if r.get("label", "").startswith("sum · ")]
    ok(len(summed) == 1 and summed[0]["decoded"]["result"] == 5 and summed[0]["label"].endswith(" ms"),
       "a response is paired with its call: the method and the round trip", json.dumps(got[:4]))
    failed = [r for r in got if r.get("label", "").startswith("fail · error -32000")]
    ok(len(failed) == 1, "an error response says its code", json.dumps(got[:4]))
    ticks = [r for r in got if r.get("label") == "ticks"]
    ok(len(ticks) >= 1 and all("price" in r["decoded"]["params"] for r in ticks),
       "the library's notifications are labelled by their name", json.dumps(got))
    ok(all("label" not in r for r in records if r.get("dir") == "event"), "events carry no label",
       json.dumps([r for r in records if r.get("dir") == "event"]))

    status, out, err = run("connect", url, "--app-protocol", "json-rpc", "--subscribe", 'rpc.on ["ticks"]',
                           "--where", '$.notification == "ticks"', "--extract", "$.params.price",
                           "--count", "5", "--timeout", "20")
    prices = [json.loads(line)["values"]["$.params.price"] for line in out.splitlines() if line]
    steps = [round(b - a, 2) for a, b in zip(prices, prices[1:])]
    ok(status == 0 and len(prices) == 5 and set(steps) == {0.25},
       "--where and --extract read the decoded view: five ticks in a row", "status %d, %r, %s" % (status, prices, err))

    # The server restarts: the subscription goes again after the reconnect.
    cli = subprocess.Popen([CLI, "connect", url, "--app-protocol", "json-rpc", "--subscribe", 'rpc.on ["ticks"]',
                            "--reconnect", "--backoff-cap", "1", "--timeout", "30"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    subscribed = 0
    restarted = False
    deadline = time.monotonic() + 25
    buffer = b""
    while time.monotonic() < deadline and subscribed < 2:
        ready, _, _ = select.select([cli.stdout], [], [], 0.5)
        if not ready:
            continue
        chunk = os.read(cli.stdout.fileno(), 65536)
        if not chunk:
            break
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            record = json.loads(line)
            if record.get("dir") == "out" and record.get("label") == "rpc.on":
                subscribed += 1
            if record.get("label") == "ticks" and not restarted:
                stop_peer(peer)
                peer, port = start_peer(port)
                restarted = True
    cli.terminate()
    cli.wait(10)
    ok(restarted and subscribed == 2, "after the server restarts, the subscription is sent again",
       "restarted %s, subscribed %d" % (restarted, subscribed))

    # A profile's mode and subscriptions.
    profiles = os.path.join(os.environ.get("TMPDIR", "/tmp"), "sonde-cli-app-%d.json" % os.getpid())
    with open(profiles, "w") as f:
        json.dump({"schema": 1, "profiles": [{"id": "88888888-8888-4888-8888-888888888888", "name": "Ticks",
                                              "url": url, "app_protocol": {"mode": "json-rpc",
                                                                           "subscriptions": ['rpc.on ["ticks"]']}}]},
                  f)
    status, out, err = run("connect", "--profile", "Ticks", "--profiles", profiles, "--where",
                           '$.notification == "ticks"', "--extract", "$.params.price", "--count", "3",
                           "--timeout", "20")
    prices = [json.loads(line)["values"]["$.params.price"] for line in out.splitlines() if line]
    ok(status == 0 and len(prices) == 3, "a profile's protocol mode and subscriptions",
       "status %d, %r, %s" % (status, prices, err))
    # The monitor counts the mode's answered requests (the subscription's
    # call, answered by rpc-websockets) in sonde_rtt_seconds.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        metrics_port = probe.getsockname()[1]
    monitor = subprocess.Popen([CLI, "monitor", "--profiles", profiles, "--metrics", "127.0.0.1:%d" % metrics_port],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                               preexec_fn=die_with_parent)
    count = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not count:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % metrics_port, timeout=2) as answer:
                text = answer.read().decode()
            match = re.search(r'^sonde_rtt_seconds_count\{profile="Ticks"\} (\S+)$', text, re.M)
            count = float(match.group(1)) if match else None
        except OSError:
            pass
        if not count:
            time.sleep(0.2)
    monitor.send_signal(signal.SIGTERM)
    try:
        monitor.wait(15)
    except subprocess.TimeoutExpired:
        monitor.kill()
        monitor.wait()
    ok(bool(count) and count >= 1, "the monitor counts the JSON-RPC round trips in sonde_rtt_seconds",
       "count %r, %s" % (count, monitor.stderr.read().decode()[-500:]))
    os.remove(profiles)

    status, out, err = run("connect", url, "--app-protocol", "json-rpc", "--call", "sum [2,")
    ok(status == 2 and "not JSON" in err, "a call whose params are not JSON: exit 2, said", "%d %s" % (status, err))
    status, out, err = run("connect", url, "--app-protocol", "carrier-pigeon")
    ok(status == 2 and "not a protocol mode" in err, "an unknown mode: exit 2, said", err)
    status, out, err = run("connect", url, "--subscribe", "x")
    ok(status == 2 and "--app-protocol" in err, "--subscribe without a mode: exit 2, said", err)

    stop_peer(peer)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
