#!/usr/bin/python3
# decode_feed.py: one ticker feed in many encodings, made by Python's own
# encoders (gzip, zlib, msgpack, cbor2, Google's protobuf), for
# test-session-decode
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 decode_feed.py [--lifetime SECONDS] [--proto-dir DIR]
#
# The peers' contract (peer_main.py): listens on 127.0.0.1 port 0, prints
# "PORT <n>", stops on stdin EOF or when the lifetime passes. DIR holds
# ticker_pb2.py (protoc --python_out of tests/data/ticker.proto); without
# it, /protobuf closes with 4404.
#
# Each route sends the same TICKS ticks as binary messages in its encoding,
# then one binary message that does not decode in it, then closes with
# 1000. Tick i is {"sym": "BTC", "price": 100.25 + 1.5 i, "seq": i}: no
# price is a whole number (a JavaScript encoder would write it as an
# integer) and every one is exact in binary. The Node twin is
# decode-feed.js; the two must send the same ticks.
#
#   /gzip          gzip.compress of the tick's JSON
#   /zlib-stream   one zlib.compressobj for the connection, each message
#                  compress() + flush(Z_SYNC_FLUSH) (as Discord sends)
#   /msgpack       msgpack.packb
#   /cbor          cbor2.dumps
#   /protobuf      sonde.test.Ticker {symbol, price, count: seq}
#                  SerializeToString (count 0 is not on the wire)

import argparse
import gzip
import json
import os
import sys
import zlib

import cbor2
import msgpack
import websockets

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_main import serve_until_stopped  # noqa: E402

TICKS = 20
ticker_pb2 = None

# What each route sends last: bytes its decoder refuses, past the start.
GARBAGE = {
    "/gzip": b"\x1f\x8b\x08\x00broken",         # a gzip header, then not deflate
    "/zlib-stream": b"\x07\x00\x00\xff\xff",     # a deflate block of type 3 (reserved)
    "/msgpack": b"\x92\x01\xc1",                 # 0xc1 is never used
    "/cbor": b"\x82\x01\x1c",                    # additional information 28 is reserved
    "/protobuf": b"\x0a\x05ab",                  # a 5-byte string with 2 bytes
}


def tick(i):
    return {"sym": "BTC", "price": 100.25 + 1.5 * i, "seq": i}


def encoder(route):
    if route == "/gzip":
        return lambda t: gzip.compress(json.dumps(t).encode())
    if route == "/zlib-stream":
        stream = zlib.compressobj()
        return lambda t: stream.compress(json.dumps(t).encode()) + stream.flush(zlib.Z_SYNC_FLUSH)
    if route == "/msgpack":
        return msgpack.packb
    if route == "/cbor":
        return cbor2.dumps
    if route == "/protobuf" and ticker_pb2 is not None:
        return lambda t: ticker_pb2.Ticker(symbol=t["sym"], price=t["price"],
                                           count=t["seq"]).SerializeToString()
    return None


async def handler(ws, path=None):
    route = path if path is not None else ws.path
    encode = encoder(route)
    if encode is None:
        await ws.close(4404, "no route " + route)
        return
    try:
        for i in range(TICKS):
            await ws.send(encode(tick(i)))
        await ws.send(GARBAGE[route])
        await ws.close(1000, "done")
    except websockets.exceptions.ConnectionClosed:
        pass


if __name__ == "__main__":
    import asyncio
    import importlib

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lifetime", type=float, default=120.0)
    parser.add_argument("--proto-dir")
    args = parser.parse_args()
    if args.proto_dir:
        sys.path.insert(0, args.proto_dir)
        ticker_pb2 = importlib.import_module("ticker_pb2")
    asyncio.run(serve_until_stopped(handler, args.lifetime, compression=None))
