#!/usr/bin/python3
# seq_feed.py: a sequenced ticker feed with a deliberate gap, a duplicate,
# a late value and a price out of its band, for test-session-integrity
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 seq_feed.py [--lifetime SECONDS]
#
# The peers' contract (peer_main.py): listens on 127.0.0.1 port 0, prints
# "PORT <n>", stops on stdin EOF or when the lifetime passes.
#
# Routes: /json sends each tick as a text message (json.dumps), /msgpack
# as a binary one (msgpack.packb). Ticks are {"sym", "seq", "price"}; per
# symbol the sequence is:
#   ABC 1 2 3 7 7 5 ... 8    (after 3: a gap of 3; 7 again; 5 late)
#   XYZ 1 2 3 4              (4 carries price 5000)
# Then it waits, silent, for any message from the client (the client's
# test of staleness), sends ABC 8, and waits for the client to close.

import argparse
import json
import os
import sys

import msgpack
import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_main import serve_until_stopped  # noqa: E402

BURST = [("ABC", 1), ("XYZ", 1), ("ABC", 2), ("XYZ", 2), ("ABC", 3), ("ABC", 7),
         ("XYZ", 3), ("ABC", 7), ("ABC", 5), ("XYZ", 4)]


def tick(sym, seq):
    return {"sym": sym, "seq": seq, "price": 5000 if (sym, seq) == ("XYZ", 4) else 100 + seq}


async def handler(ws, path=None):
    route = path if path is not None else ws.path
    if route == "/json":
        encode = json.dumps
    elif route == "/msgpack":
        encode = msgpack.packb
    else:
        await ws.close(4404, "no route " + route)
        return
    try:
        for sym, seq in BURST:
            await ws.send(encode(tick(sym, seq)))
        await ws.recv()
        await ws.send(encode(tick("ABC", 8)))
        await ws.wait_closed()
    except websockets.exceptions.ConnectionClosed:
        pass


if __name__ == "__main__":
    import asyncio

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lifetime", type=float, default=120.0)
    args = parser.parse_args()
    asyncio.run(serve_until_stopped(handler, args.lifetime, compression=None))
