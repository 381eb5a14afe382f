#!/usr/bin/python3
# test-cli-serve.py: `sonde-cli serve` end to end with real clients nobody
# here wrote (Python `websockets`, Node `ws`): recordings made here (a JSON
# Lines file, the same imported into a database with `sonde-cli history
# import`, and a HAR file) played back byte for byte and in order, with
# their times (--speed), their close, to several clients at once; mock rules
# (subscribe -> ack with the request's id -> stream, ping -> pong); bad input
# (exit 2, line and column for a rules file); SIGTERM and --exit-when-done.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import asyncio
import base64
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

import websockets

from sonde_test_cli import finish, ok

CLI = os.environ["SONDE_CLI"]
SERVERS = os.environ.get("SONDE_TEST_SERVERS", os.path.join(os.path.dirname(__file__), "servers"))
START_US = 1780000000000000

# What the recorded server sent, in order: text, binary with NUL bytes, an
# empty text and an empty binary message, 5 MiB of binary, UTF-8 text.
BIG = bytes((i * 7 + (i >> 9)) & 0xFF for i in range(5 * 1024 * 1024))
RECEIVED = [
    ("text", '{"sym":"ABC","price":101.5}'),
    ("binary", bytes([0, 1, 0, 255, 0])),
    ("text", ""),
    ("binary", b""),
    ("binary", BIG),
    ("text", "prix 12,5 € — 終わり"),
]


def iso(us):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(us // 1000000)) + ".%06dZ" % (us % 1000000)


def jsonl_record(kind, payload, us, direction="in"):
    if kind == "text":
        return {"time": iso(us), "dir": direction, "kind": "text", "size": len(payload.encode()), "text": payload}
    return {"time": iso(us), "dir": direction, "kind": "binary", "size": len(payload),
            "base64": base64.b64encode(payload).decode()}


def write_jsonl(path, received, step_us, close=(4001, "done here")):
    records = [{"time": iso(START_US), "dir": "event", "kind": "connecting", "url": "ws://127.0.0.1:9/feed"},
               jsonl_record("text", "subscribe", START_US + 1000, "out")]
    us = START_US + 500000
    for kind, payload in received:
        records.append(jsonl_record(kind, payload, us))
        us += step_us
    if close is not None:
        records.append({"time": iso(us), "dir": "event", "kind": "close", "close_code": close[0],
                        "close_reason": close[1], "meaning": "", "initiator": "peer", "clean": True,
                        "requested": False})
    with open(path, "w") as f:
        for r in records:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


def write_har(path, received, step_us):
    messages = [{"type": "send", "time": START_US / 1e6, "opcode": 1, "data": "subscribe"}]
    us = START_US + 500000
    for kind, payload in received:
        if kind == "text":
            messages.append({"type": "receive", "time": us / 1e6, "opcode": 1, "data": payload})
        else:
            messages.append({"type": "receive", "time": us / 1e6, "opcode": 2,
                             "data": base64.b64encode(payload).decode()})
        us += step_us
    har = {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": [{
        "startedDateTime": iso(START_US), "_resourceType": "websocket",
        "request": {"method": "GET", "url": "wss://feed.test/x"}, "response": {"status": 101},
        "_webSocketMessages": messages}]}}
    with open(path, "w") as f:
        json.dump(har, f)


class Server:
    """sonde-cli serve in the background; .url once it listens."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([CLI, "serve"] + list(args), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.url = None
        self.banner = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.banner.append(line.rstrip("\n"))
            if line.startswith("ws://") or line.startswith("wss://"):
                self.url = line.strip()
                break

    def wait(self, timeout=20):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            if self.wait(10) is None:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        err = self.proc.stderr.read()
        self.proc.stderr.close()
        return err


async def receive_all(url, send=(), limit=60):
    """Every message until the close, as (kind, payload) pairs, the close
    code and reason, and the times the first and last message came."""
    got = []
    times = []
    async with websockets.connect(url, max_size=None) as ws:
        for message in send:
            await ws.send(message)
        try:
            while True:
                message = await asyncio.wait_for(ws.recv(), limit)
                times.append(time.monotonic())
                got.append(("binary", message) if isinstance(message, bytes) else ("text", message))
        except websockets.ConnectionClosed:
            pass
        return got, ws.close_code, ws.close_reason, times


def describe(messages):
    return [(kind, len(payload)) for kind, payload in messages]


def node_receive(url):
    env = dict(os.environ, NODE_PATH=os.path.join(SERVERS, "node_modules"))
    proc = subprocess.run(["node", os.path.join(SERVERS, "replay-client.js"), url], capture_output=True,
                          text=True, timeout=90, env=env)
    got = []
    close = None
    for line in proc.stdout.splitlines():
        obj = json.loads(line)
        if "close" in obj:
            close = (obj["close"], obj["reason"])
        else:
            data = base64.b64decode(obj["base64"])
            got.append(("binary", data) if obj["binary"] else ("text", data.decode()))
    return got, close, proc.stderr


def test_sources(tmp):
    jl = os.path.join(tmp, "session.jsonl")
    db = os.path.join(tmp, "session.sqlite")
    har = os.path.join(tmp, "session.har")
    write_jsonl(jl, RECEIVED, 50000)
    write_har(har, RECEIVED, 50000)
    proc = subprocess.run([CLI, "history", "import", "--db", db, jl], capture_output=True, timeout=60)
    ok(proc.returncode == 0, "the JSON Lines file imports into a database", proc.stderr)

    for name, path, close in [("database", db, (4001, "done here")), ("jsonl", jl, (4001, "done here")),
                              ("har", har, (1000, ""))]:
        server = Server("--replay", path)
        ok(server.url is not None and server.url.startswith("ws://127.0.0.1:"),
           "%s: prints the URL on 127.0.0.1" % name, server.banner)
        if server.url is None:
            server.stop()
            continue
        got, code, reason, _ = asyncio.run(receive_all(server.url + "any/path?x=1"))
        ok(got == RECEIVED, "%s: python websockets receives every payload in order, byte for byte" % name,
           describe(got))
        ok((code, reason) == close, "%s: the session's close code and reason" % name, (code, reason))
        if shutil.which("node"):
            got, nclose, err = node_receive(server.url)
            ok(got == RECEIVED, "%s: node ws receives every payload in order, byte for byte" % name,
               (describe(got), err))
            ok(nclose == close, "%s: node ws sees the session's close" % name, nclose)
        server.stop()


def test_speed(tmp):
    path = os.path.join(tmp, "ten-seconds.jsonl")
    write_jsonl(path, [("text", '{"n":%d}' % i) for i in range(21)], 500000)
    server = Server("--replay", path, "--speed", "10")
    got, code, _, times = asyncio.run(receive_all(server.url))
    elapsed = times[-1] - times[0] if len(times) > 1 else -1
    ok(len(got) == 21, "--speed 10: all 21 messages", len(got))
    ok(0.8 <= elapsed <= 2.0, "--speed 10: a 10 s session takes about 1 s", "%.3f s" % elapsed)
    server.stop()

    server = Server("--replay", path, "--max-speed")
    got, code, _, times = asyncio.run(receive_all(server.url))
    elapsed = times[-1] - times[0] if len(times) > 1 else -1
    ok(len(got) == 21 and elapsed < 0.5, "--max-speed: the same session at once", "%d, %.3f s" % (len(got), elapsed))
    server.stop()

    server = Server("--replay", path, "--speed", "10", "--from", "+5", "--to", "+6")
    got, code, _, _ = asyncio.run(receive_all(server.url))
    ok([p for _, p in got] == ['{"n":10}', '{"n":11}', '{"n":12}'], "--from +5 --to +6: those messages only",
       got)
    server.stop()


TICKER_RULES = """{
  "on_open": [{"json": {"type": "hello"}}],
  "every": [{"name": "ticks", "interval_ms": 50, "paused": true,
             "send": {"json": {"type": "tick", "sym": "ABC", "seq": "{{seq}}"}}}],
  "rules": [
    {"match": {"json": "$.op == \\"subscribe\\""},
     "reply": {"json": {"type": "ack", "id": "{{$.id}}", "channel": "{{$.params.channel}}"}},
     "start": "ticks"},
    {"match": {"regex": "^ping$"}, "reply": "pong"},
    {"match": {"text": "bye"}, "close": {"code": 4000, "reason": "see you"}}
  ]
}
"""


async def ticker_client(url):
    async with websockets.connect(url) as ws:
        hello = json.loads(await ws.recv())
        await ws.send(json.dumps({"op": "subscribe", "id": "req-17", "params": {"channel": "ticker.ABC"}}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        ticks = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in range(3)]
        await ws.send("ping")
        pong = None
        for _ in range(20):
            message = await asyncio.wait_for(ws.recv(), 10)
            if message == "pong":
                pong = message
                break
        await ws.send("bye")
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 10)
        except websockets.ConnectionClosed:
            pass
        return hello, ack, ticks, pong, ws.close_code, ws.close_reason


def test_rules(tmp):
    rules = os.path.join(tmp, "ticker.json")
    with open(rules, "w") as f:
        f.write(TICKER_RULES)
    server = Server("--rules", rules)
    hello, ack, ticks, pong, code, reason = asyncio.run(ticker_client(server.url))
    ok(hello == {"type": "hello"}, "rules: on_open", hello)
    ok(ack == {"type": "ack", "id": "req-17", "channel": "ticker.ABC"}, "rules: subscribe -> ack with its id", ack)
    ok([t.get("type") for t in ticks] == ["tick"] * 3 and [t["seq"] for t in ticks] == [1, 2, 3],
       "rules: then a stream of ticks", ticks)
    ok(pong == "pong", "rules: ping -> pong")
    ok((code, reason) == (4000, "see you"), "rules: close on a match", (code, reason))
    server.stop()

    # Subscribe starts the replay.
    path = os.path.join(tmp, "short.jsonl")
    write_jsonl(path, [("text", "r%d" % i) for i in range(3)], 10000)
    start_rules = os.path.join(tmp, "start.json")
    with open(start_rules, "w") as f:
        json.dump({"rules": [{"match": "subscribe", "reply": "ok {{$.id}}", "start": "replay"}]}, f)
    server = Server("--replay", path, "--rules", start_rules)

    async def subscribe_then_replay(url):
        async with websockets.connect(url) as ws:
            early = None
            try:
                early = await asyncio.wait_for(ws.recv(), 0.5)
            except asyncio.TimeoutError:
                pass
            await ws.send('{"op":"subscribe","id":3}')
            got = []
            try:
                while True:
                    got.append(await asyncio.wait_for(ws.recv(), 10))
            except websockets.ConnectionClosed:
                pass
            return early, got, ws.close_code

    early, got, code = asyncio.run(subscribe_then_replay(server.url))
    ok(early is None and got == ["ok 3", "r0", "r1", "r2"] and code == 4001,
       "rules: a subscribe starts the replay", (early, got, code))
    server.stop()

    bad = os.path.join(tmp, "bad.json")
    with open(bad, "w") as f:
        f.write('{\n  "rules": [\n    {"match": "a" "reply": "b"}\n  ]\n}\n')
    proc = subprocess.run([CLI, "serve", "--rules", bad], capture_output=True, text=True, timeout=20)
    ok(proc.returncode == 2 and "bad.json: line 3, column" in proc.stderr,
       "a rules file that does not parse: exit 2, its line and column", (proc.returncode, proc.stderr))
    with open(bad, "w") as f:
        json.dump({"rules": [{"match": {"regex": "a"}, "reply": "x", "strat": "replay"}]}, f)
    proc = subprocess.run([CLI, "serve", "--rules", bad], capture_output=True, text=True, timeout=20)
    ok(proc.returncode == 2 and "rules[0]: unknown member" in proc.stderr and "strat" in proc.stderr,
       "a rules file that breaks the schema: exit 2, the field named", (proc.returncode, proc.stderr))


def readme_rules():
    """The example rules file of README.md (the ```json block of the ticker)."""
    readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    for block in text.split("```json\n")[1:]:
        body = block.split("```", 1)[0]
        if "mock-ticker" in body:
            return body
    return None


def test_readme_example(tmp):
    body = readme_rules()
    ok(body is not None, "README has the ticker rules example")
    if body is None:
        return
    rules = os.path.join(tmp, "readme-rules.json")
    with open(rules, "w") as f:
        f.write(body)
    server = Server("--rules", rules)
    ok(server.url is not None, "the README example is valid rules", server.stop() if server.url is None else "")
    if server.url is None:
        return
    hello, ack, ticks, pong, code, reason = asyncio.run(ticker_client(server.url))
    ok(hello.get("type") == "welcome" and ack == {"type": "ack", "id": "req-17", "channel": "ticker.ABC"} and
       [t["seq"] for t in ticks] == [1, 2, 3] and pong == "pong" and (code, reason) == (4000, "see you"),
       "the README example: welcome, ack with the id, ticks, pong, close on bye", (hello, ack, ticks, pong, code))
    server.stop()


def test_clients(tmp):
    path = os.path.join(tmp, "one-second.jsonl")
    expected = [("text", "m%d" % i) for i in range(11)]
    write_jsonl(path, expected, 100000)
    server = Server("--replay", path)

    async def two_at_once():
        return await asyncio.gather(receive_all(server.url + "a"), receive_all(server.url + "b"))

    (a, ca, _, ta), (b, cb, _, tb) = asyncio.run(two_at_once())
    ok(a == expected and b == expected, "two clients at once each get the whole session",
       (describe(a), describe(b)))
    ok(abs(ta[0] - tb[0]) < 0.5 and 0.7 <= ta[-1] - ta[0] <= 2.0, "each at the recorded pace",
       (ta[-1] - ta[0], ta[0] - tb[0]))

    async def one_leaves():
        async def leaver():
            async with websockets.connect(server.url) as ws:
                return await ws.recv()
        return await asyncio.gather(leaver(), receive_all(server.url))

    first, (rest, code, _, _) = asyncio.run(one_leaves())
    ok(first == "m0" and rest == expected and code == 4001,
       "a client that disconnects mid-replay stops only its own", (first, describe(rest), code))
    ok(server.proc.poll() is None, "the server runs on after a client went away")
    got, _, _, _ = asyncio.run(receive_all(server.url))
    ok(got == expected, "and serves the next client")
    server.stop()


def test_stop(tmp):
    path = os.path.join(tmp, "long.jsonl")
    write_jsonl(path, [("text", "m%d" % i) for i in range(100)], 1000000)
    server = Server("--replay", path)

    async def term_midway():
        async with websockets.connect(server.url) as ws:
            first = await ws.recv()
            server.proc.send_signal(signal.SIGTERM)
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 10)
            except websockets.ConnectionClosed:
                pass
            return first, ws.close_code

    started = time.monotonic()
    first, code = asyncio.run(term_midway())
    status = server.wait(10)
    ok(first == "m0" and code == 1001, "SIGTERM closes the clients with 1001", (first, code))
    ok(status == 0 and time.monotonic() - started < 5, "SIGTERM: exit 0, at once", status)
    server.stop()

    path = os.path.join(tmp, "short.jsonl")
    write_jsonl(path, [("text", "r%d" % i) for i in range(3)], 10000)
    server = Server("--replay", path, "--exit-when-done")
    ok(server.wait(0.3) is None, "--exit-when-done: waits for a first client")
    got, _, _, _ = asyncio.run(receive_all(server.url))
    status = server.wait(10)
    ok(len(got) == 3 and status == 0, "--exit-when-done: exit 0 once the client was played to the end",
       (len(got), status))
    server.stop()


def test_tls_and_abnormal_end(tmp):
    """wss:// with --tls-cert/--tls-key; a session that ended without a Close
    frame (1006) ends its replay the same way."""
    path = os.path.join(tmp, "dropped.jsonl")
    write_jsonl(path, [("text", "a"), ("binary", b"\0")], 10000, close=(1006, ""))
    cert = os.path.join(tmp, "cert.pem")
    key = os.path.join(tmp, "key.pem")
    if shutil.which("openssl") is None:
        print("# openssl missing: no TLS check")
        return
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    server = Server("--replay", path, "--tls-cert", cert, "--tls-key", key)
    ok(server.url is not None and server.url.startswith("wss://127.0.0.1:"), "--tls-cert: a wss:// URL",
       server.banner)

    async def over_tls():
        context = ssl.create_default_context(cafile=cert)
        async with websockets.connect(server.url, ssl=context) as ws:
            got = []
            try:
                while True:
                    got.append(await asyncio.wait_for(ws.recv(), 10))
            except websockets.ConnectionClosed:
                pass
            return got, ws.close_code

    got, code = asyncio.run(over_tls())
    ok(got == ["a", b"\0"], "wss: the payloads", got)
    ok(code == 1006, "a session that ended without a Close frame ends so (1006)", code)
    server.stop()

    proc = subprocess.run([CLI, "serve", "--replay", path, "--tls-cert", path, "--tls-key", path],
                          capture_output=True, text=True, timeout=20)
    ok(proc.returncode == 2 and "--tls-cert" in proc.stderr, "a file that is no certificate: exit 2", proc.stderr)


def test_bad_input(tmp):
    junk = os.path.join(tmp, "junk.txt")
    with open(junk, "w") as f:
        f.write("not a recording\n")
    proc = subprocess.run([CLI, "serve", "--replay", junk], capture_output=True, text=True, timeout=20)
    ok(proc.returncode == 2 and "is not a recording" in proc.stderr, "not a recording: exit 2",
       (proc.returncode, proc.stderr))

    db = os.path.join(tmp, "session.sqlite")
    proc = subprocess.run([CLI, "serve", "--replay", db, "--session", "99"], capture_output=True, text=True,
                          timeout=20)
    ok(proc.returncode == 2 and "no session 99" in proc.stderr, "an unknown session: exit 2",
       (proc.returncode, proc.stderr))

    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen(1)
    port = holder.getsockname()[1]
    proc = subprocess.run([CLI, "serve", "--replay", db, "--port", str(port)], capture_output=True, text=True,
                          timeout=20)
    holder.close()
    ok(proc.returncode == 2 and str(port) in proc.stderr, "a port in use: exit 2", (proc.returncode, proc.stderr))

    proc = subprocess.run([CLI, "serve", "--replay", db, "--bind", "nowhere"], capture_output=True, text=True,
                          timeout=20)
    ok(proc.returncode == 2 and "not an IP address" in proc.stderr, "a bad --bind: exit 2", proc.stderr)


def main():
    tmp = tempfile.mkdtemp(prefix="sonde-cli-serve-")
    os.environ.update(HOME=tmp, XDG_DATA_HOME=os.path.join(tmp, "data"), LANG="C", LANGUAGE="C")
    try:
        test_sources(tmp)
        test_speed(tmp)
        test_rules(tmp)
        test_readme_example(tmp)
        test_clients(tmp)
        test_stop(tmp)
        test_tls_and_abnormal_end(tmp)
        test_bad_input(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
