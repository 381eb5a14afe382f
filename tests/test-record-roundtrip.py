#!/usr/bin/python3
# test-record-roundtrip.py: record from a real Python `websockets` server,
# export HAR, import it, export JSON Lines: the same payloads, byte for
# byte, in the same order and directions
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The server (websockets, in a thread of this process, on 127.0.0.1) waits
# for the client's first message, then sends a text with non-ASCII
# characters, a binary message with NUL bytes, an empty message and a 5 MiB
# binary message, and closes with 1000. sonde-cli records it with
# `record --output`; `history export --format har`, `history import` into a
# second database and `history export --format jsonl` follow.

import asyncio
import base64
import json
import os
import subprocess
import sys
import tempfile
import threading

import websockets

from sonde_test_cli import finish, ok

CLI = os.environ["SONDE_CLI"]

BIG = bytes((i * 7 + (i >> 13)) % 256 for i in range(5 * 1024 * 1024))
SENT = [
    ("out", "text", "hello".encode()),
    ("in", "text", "prix 101,5 € — ☃".encode()),
    ("in", "binary", bytes([0, 0, 1, 0, 255, 0])),
    ("in", "text", b""),
    ("in", "binary", BIG),
]


async def handler(ws, path=None):
    await ws.recv()
    for direction, kind, payload in SENT[1:]:
        await ws.send(payload.decode() if kind == "text" else payload)
    await ws.close(1000, "done")


def serve(started, stop):
    async def main():
        async with websockets.serve(handler, "127.0.0.1", 0, max_size=None) as server:
            started["port"] = server.sockets[0].getsockname()[1]
            started["event"].set()
            await asyncio.wait_for(stop["future"], 120)

    loop = asyncio.new_event_loop()
    stop["loop"] = loop
    stop["future"] = loop.create_future()
    try:
        loop.run_until_complete(main())
    except asyncio.TimeoutError:
        pass


def run(*args, env):
    proc = subprocess.run([CLI] + list(args), capture_output=True, env=env, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")


def messages(jsonl):
    found = []
    for line in jsonl.decode().splitlines():
        record = json.loads(line)
        if record["dir"] == "event" or record["kind"] not in ("text", "binary"):
            continue
        payload = record["text"].encode() if "text" in record else base64.b64decode(record["base64"])
        found.append((record["dir"], record["kind"], payload))
    return found


def describe(found):
    return repr([(d, k, len(p), p[:16]) for d, k, p in found])


def main():
    tmp = tempfile.mkdtemp(prefix="sonde-roundtrip-")
    env = dict(os.environ, HOME=tmp, XDG_DATA_HOME=os.path.join(tmp, "data"),
               XDG_CONFIG_HOME=os.path.join(tmp, "config"), LANG="C", LANGUAGE="C")
    started = {"event": threading.Event()}
    stop = {}
    thread = threading.Thread(target=serve, args=(started, stop), daemon=True)
    thread.start()
    if not started["event"].wait(30):
        print("Bail out! the websockets server did not start")
        return 1
    url = "ws://127.0.0.1:%d/feed" % started["port"]

    recorded = os.path.join(tmp, "recorded.sqlite")
    status, out, err = run("record", url, "--output", recorded, "--max-message", "8M", "--quiet",
                           "--send", "hello", env=env)
    ok(status == 0 and out == b"", "record: exit 0, nothing printed with --quiet", err)

    status, out, err = run("history", "list", "--db", recorded, env=env)
    sessions = [json.loads(line) for line in out.decode().splitlines()]
    ok(status == 0 and len(sessions) == 1 and sessions[0]["url"] == url and sessions[0]["close_code"] == 1000
       and sessions[0]["closed_by"] == "server", "the recording holds one ended session", out.decode() + err)
    session_id = str(sessions[0]["id"]) if sessions else "1"

    status, out, err = run("history", "export", session_id, "--db", recorded, "--format", "jsonl", env=env)
    ok(status == 0 and messages(out) == SENT, "the recording: every payload, in order", describe(messages(out)))

    har = os.path.join(tmp, "session.har")
    status, out, err = run("history", "export", session_id, "--db", recorded, "--format", "har",
                           "--output", har, env=env)
    ok(status == 0 and os.path.exists(har), "export har", err)

    imported = os.path.join(tmp, "imported.sqlite")
    status, out, err = run("history", "import", har, "--db", imported, env=env)
    ids = [json.loads(line)["id"] for line in out.decode().splitlines()]
    ok(status == 0 and len(ids) == 1, "import har: one session", out.decode() + err)

    status, out, err = run("history", "export", str(ids[0] if ids else 1), "--db", imported,
                           "--format", "jsonl", env=env)
    found = messages(out)
    ok(status == 0 and found == SENT, "after the round trip: byte-identical payloads, same order and directions",
       describe(found) + err)

    stop["loop"].call_soon_threadsafe(stop["future"].set_result, None)
    thread.join(30)
    subprocess.run(["rm", "-rf", tmp])
    return finish()


if __name__ == "__main__":
    sys.exit(main())
