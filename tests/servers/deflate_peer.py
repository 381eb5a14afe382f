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
import sys

import websockets
import websockets.exceptions



from peer_main import serve_until_stopped
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lifetime", type=float, default=120.0)
    args = parser.parse_args()
    asyncio.run(serve_until_stopped(handler, args.lifetime,
                                    compression="deflate",
                                    max_size=64 * 1024 * 1024,
                                    max_queue=None))
