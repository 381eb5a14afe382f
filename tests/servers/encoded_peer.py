#!/usr/bin/python3
# encoded_peer.py: a WebSocket peer on Python `websockets` that sends binary
# messages encoded by real encoders (Python's gzip and msgpack), for the
# window's offer to decode them
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 encoded_peer.py [--lifetime SECONDS]
#
# Listens on 127.0.0.1, port 0, prints "PORT <n>" first, and stops by itself
# when stdin reaches EOF or the lifetime (default 60 s) has passed. On
# connect it sends three binary messages, then waits for the client to
# close (at most 30 s):
#
#   /gzip      gzip.compress of the JSON text {"seq": i, "price": 100.5 + i}
#   /msgpack   msgpack.packb of {"seq": i, "price": 100.5 + i}
#
# i = 0, 1, 2. After the PORT line stdout holds one JSON line per message
# sent: {"path": "/gzip", "seq": i}.

import argparse
import asyncio
import gzip
import json
import sys

import msgpack
import websockets.exceptions

from peer_main import serve_until_stopped

MESSAGES = 3
CLOSE_WAIT = 30.0


def encode(path, value):
    if path == "/gzip":
        return gzip.compress(json.dumps(value).encode("utf-8"))
    if path == "/msgpack":
        return msgpack.packb(value)
    return None


async def handler(ws):
    path = ws.path.split("?")[0]
    try:
        for i in range(MESSAGES):
            data = encode(path, {"seq": i, "price": 100.5 + i})
            if data is None:
                await ws.close(1008, "unknown path")
                return
            await ws.send(data)
            sys.stdout.write(json.dumps({"path": path, "seq": i}) + "\n")
            sys.stdout.flush()
        try:
            await asyncio.wait_for(ws.wait_closed(), CLOSE_WAIT)
        except asyncio.TimeoutError:
            await ws.close(1000, "encoded peer done")
    except websockets.exceptions.ConnectionClosed:
        pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="WebSocket peer that sends encoded binary messages")
    parser.add_argument("--lifetime", type=float, default=60.0)
    args = parser.parse_args()
    asyncio.run(serve_until_stopped(handler, args.lifetime, compression=None, ping_interval=None))
