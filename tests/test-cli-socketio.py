#!/usr/bin/python3
# test-cli-socketio.py: `sonde-cli connect --app-protocol socket.io` against
# a real Socket.IO 4 server (npm `socket.io`, tests/servers/socketio-peer.js)
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# --emit subscribes to the server's "tick" stream once the namespace is
# connected; --extract reads $.args[0].price from each event's decoded
# view and prints exactly the five numbers, never a line for the protocol's
# upkeep (the open packet, CONNECT, pings and pongs). JSON lines carry
# "decoded", "label" and "upkeep"; the server's pings (every 300 ms) are
# answered by automatic pongs. --namespace and --auth reach /admin; a bad
# --emit is exit 2.

import json
import os
import shutil
import sys

from sonde_test_cli import SERVERS, finish, ok, run, start_node_peer, stop_peer


def main():
    node = shutil.which("node")
    if node is None or not os.path.isdir(os.path.join(SERVERS, "node_modules", "socket.io")):
        print("1..0 # SKIP node or npm's socket.io is missing (npm ci in tests/servers)")
        return 0
    try:
        peer, port = start_node_peer("socketio-peer.js", "--lifetime", "100")
    except RuntimeError as error:
        print("Bail out! %s" % error)
        return 1
    try:
        url = "ws://127.0.0.1:%d" % port

        # The command: the numbers, and nothing else.
        status, out, err = run("connect", url, "--app-protocol", "socket.io", "--emit", 'subscribe {"sym":"BTC"}',
                               "--extract", "$.args[0].price", "--count", "5")
        ok(status == 0, "extract: exit 0", err)
        values = [json.loads(l)["values"]["$.args[0].price"] for l in out.splitlines()]
        ok(values == [100, 100.5, 101, 101.5, 102], "extract: the five prices", out)

        # JSON lines: labels, upkeep, the rewritten URL, pongs answered.
        status, out, err = run("connect", url, "--app-protocol", "socket.io", "--emit", 'subscribe {"sym":"ETH"}',
                               "--count", "30")
        ok(status == 0, "lines: exit 0", err)
        lines = [json.loads(l) for l in out.splitlines()]
        connecting = [l for l in lines if l.get("kind") == "connecting"]
        ok(connecting and connecting[0]["url"] == url + "/socket.io/?EIO=4&transport=websocket",
           "lines: the rewritten URL", str(connecting))
        ticks = [l for l in lines if l.get("label") == "tick"]
        ok(len(ticks) >= 5 and all(not t.get("upkeep") for t in ticks), "lines: ticks by name, not upkeep")
        ok(ticks and ticks[0]["decoded"] == {"type": "event", "nsp": "/", "event": "tick",
                                             "args": [{"sym": "ETH", "price": 100, "seq": 0, "server": 1}]},
           "lines: the event's shape", str(ticks[:1]))
        pings = [l for l in lines if l.get("dir") == "in" and l.get("label") == "ping"]
        pongs = [l for l in lines if l.get("dir") == "out" and l.get("label") == "pong"]
        ok(len(pings) >= 3 and len(pongs) >= len(pings) and all(p.get("upkeep") and p.get("automatic")
                                                                 for p in pongs),
           "lines: every ping answered by an automatic pong (upkeep)", "%d pings %d pongs" % (len(pings), len(pongs)))
        connect = [l for l in lines if l.get("dir") == "out" and l.get("label") == "connect"]
        ok(len(connect) == 1 and connect[0].get("automatic") and connect[0].get("upkeep"),
           "lines: the CONNECT is automatic upkeep", str(connect))
        ok(all(l.get("kind") != "close" or l.get("initiator") == "local" for l in lines),
           "lines: the server never dropped Sonde")

        # A namespace with auth.
        status, out, err = run("connect", url, "--app-protocol", "socket.io", "--namespace", "/admin",
                               "--auth", '{"token":"s3cret"}', "--count", "1")
        lines = [json.loads(l) for l in out.splitlines()]
        welcome = [l for l in lines if l.get("label") == "/admin welcome"]
        ok(status == 0 and welcome and welcome[0]["decoded"]["nsp"] == "/admin", "namespace: /admin welcome", out)

        # A bad emit.
        status, out, err = run("connect", url, "--app-protocol", "socket.io", "--emit", "subscribe {oops",
                               "--count", "1", timeout=30)
        ok(status == 2 and "--emit: The arguments of subscribe are not JSON" in err, "bad emit: fails, says why", "%d %s" % (status, err))
    finally:
        stop_peer(peer)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
