#!/usr/bin/python3
# deflate_peer.py: a permessage-deflate peer on Python `websockets`, for
# tests/test-deflate-extension.c
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run with /usr/bin/python3 (Debian's python3-websockets 10.4):
#
#   /usr/bin/python3 deflate_peer.py [--lifetime SECONDS]
#
# Listens on 127.0.0.1, port 0, with compression="deflate" (websockets'
# own permessage-deflate), and prints one line "PORT <n>" once it listens.
# Every message is echoed, except the text "zeros N": then N zero bytes go
# back as one binary message (a deflate bomb of the server's making). When a
# connection ends, the server prints "CLOSED <code>" (the client's close
# code, or 1006 without one). It stops by itself when its stdin reaches EOF
# or when the lifetime (default 120 s) has passed.

import argparse
import asyncio
import os
import signal
import sys

import websockets
import websockets.exceptions


async def handler(ws, path=None):
    try:
        async for message in ws:
            if isinstance(message, str) and message.startswith("zeros "):
                await ws.send(bytes(int(message[6:])))
            else:
                await ws.send(message)
    except websockets.exceptions.ConnectionClosed:
        pass
    sys.stdout.write("CLOSED %d\n" % ws.close_code)
    sys.stdout.flush()


async def main(lifetime):
    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def request_stop(why):
        if not stop.done():
            stop.set_result(why)

    def on_stdin():
        try:
            data = os.read(sys.stdin.fileno(), 4096)
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(sys.stdin.fileno())
            request_stop("stdin closed")

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    loop.call_later(lifetime, request_stop, "lifetime over")
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, request_stop, "signal")

    server = await websockets.serve(handler, "127.0.0.1", 0,
                                    compression="deflate",
                                    max_size=64 * 1024 * 1024,
                                    max_queue=None)
    port = server.sockets[0].getsockname()[1]
    sys.stdout.write("PORT %d\n" % port)
    sys.stdout.flush()

    why = await stop
    print("deflate_peer.py: stopping: %s" % why, file=sys.stderr)
    server.close()
    try:
        await asyncio.wait_for(server.wait_closed(), 2)
    except asyncio.TimeoutError:
        pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lifetime", type=float, default=120.0)
    args = parser.parse_args()
    asyncio.run(main(args.lifetime))
