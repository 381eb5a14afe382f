#!/usr/bin/python3
# ping_peer.py: a WebSocket peer on Python `websockets` that pings its client
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 ping_peer.py [--lifetime SECONDS]
#
# Listens on 127.0.0.1, port 0, prints "PORT <n>" first, and stops by itself
# when stdin reaches EOF or the lifetime (default 60 s) has passed. The same
# contract as ping-peer.js (Node `ws`); both send byte-identical frames:
#
#   any path but /flood   on connect: three pings, with payloads
#                           "p1"
#                           the bytes 00 ff 01 02 (a NUL, and not UTF-8)
#                           125 bytes: "0123456789" repeated, cut to 125
#                         then an unsolicited pong "nobody-asked", then the
#                         text message "done"
#   /flood                10,000 pings as fast as possible, payloads "f0" to
#                         "f9999", then the text message "done"
#
# Then it waits for the client to close (at most 10 s, then it closes with
# 1000 itself). stdout, after the PORT line, holds JSON lines:
#
#   {"event":"pong","path":"/","text":"p1"}       one per pong received (not
#   {"event":"pong","path":"/","base64":"AP8BAg=="}  on /flood); "base64"
#                                                     when not UTF-8
#   {"event":"closed","path":"/","pings":3,"pongs":3,"matched":3,
#    "code":1000}                                 when the connection ends:
#                                                 pings sent, pongs received,
#                                                 pongs whose payload is one
#                                                 of the pings', the client's
#                                                 close code (null: none)

import argparse
import asyncio
import base64
import json
import sys

import websockets
import websockets.exceptions
import websockets.frames
import websockets.server

from peer_main import serve_until_stopped

PINGS = [b"p1", b"\x00\xff\x01\x02", (b"0123456789" * 13)[:125]]
UNSOLICITED = b"nobody-asked"
FLOOD = 10000
CLOSE_WAIT = 10.0


def emit(record):
    sys.stdout.write(json.dumps(record, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def payload_fields(data):
    try:
        return {"text": data.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(data).decode("ascii")}


class RecordingProtocol(websockets.server.WebSocketServerProtocol):
    """Sees every pong: websockets itself only resolves ping waiters."""

    pongs = None
    quiet = False

    async def read_frame(self, max_size):
        frame = await super().read_frame(max_size)
        if frame.opcode == websockets.frames.Opcode.PONG:
            if self.pongs is None:
                self.pongs = []
            self.pongs.append(bytes(frame.data))
            if not self.quiet:
                emit(dict({"event": "pong", "path": self.path}, **payload_fields(bytes(frame.data))))
        return frame


async def handler(ws):
    flood = ws.path.split("?")[0] == "/flood"
    ws.quiet = flood
    sent = [("f%d" % i).encode("ascii") for i in range(FLOOD)] if flood else PINGS
    try:
        for data in sent:
            waiter = await ws.ping(data)
            # Pings left unanswered fail at close: nobody waits for them.
            waiter.add_done_callback(lambda f: f.cancelled() or f.exception())
        if not flood:
            await ws.pong(UNSOLICITED)
        await ws.send("done")
        try:
            await asyncio.wait_for(ws.wait_closed(), CLOSE_WAIT)
        except asyncio.TimeoutError:
            await ws.close(1000, "ping peer done")
    except websockets.exceptions.ConnectionClosed:
        pass
    pongs = ws.pongs or []
    wanted = set(sent)
    emit({"event": "closed", "path": ws.path, "pings": len(sent), "pongs": len(pongs),
          "matched": sum(1 for p in pongs if p in wanted), "code": ws.close_code})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="WebSocket peer that pings its client")
    parser.add_argument("--lifetime", type=float, default=60.0)
    args = parser.parse_args()
    asyncio.run(serve_until_stopped(handler, args.lifetime, create_protocol=RecordingProtocol,
                                    compression=None, ping_interval=None, max_queue=None))
