#!/usr/bin/python3
# ws_peer.py: a WebSocket peer built on Python `websockets`, for interop tests
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run with /usr/bin/python3 (Debian's python3-websockets 10.4):
#
#   /usr/bin/python3 ws_peer.py [--lifetime SECONDS]
#
# Listens on 127.0.0.1, port 0, and prints one line "PORT <n>" once it
# listens. It stops by itself when its stdin reaches EOF (the test closed the
# pipe, or died) or when the lifetime (default 120 s) has passed.
#
# The contract is shared with ws-peer.js (Node `ws`); both must send
# byte-identical messages:
#
#   /echo                      echoes every text and binary message
#   /push?n=N&size=S&binary=0|1&close=CODE
#                              sends N messages of exactly S bytes, then closes
#                              with CODE if given (reason "push done"), else
#                              stays open. Message i (from 0):
#                              text:   '{"i":<i>,"pad":"xxx…"}' padded with x
#                                      to S bytes; when S is too small for
#                                      that, the decimal index, zero-padded on
#                                      the left, cut to its last S digits
#                              binary: byte j is (i + j) % 256, except that
#                                      the first 4 bytes (when S >= 4) hold i
#                                      as a big-endian uint32 (so NULs appear)
#   /close?code=C&reason=R     closes right after the handshake
#   /drop                      sends "bye", then aborts the TCP connection
#                              without a Close frame
#   /headers                   sends one JSON object: the request headers
#                              (names lowercased; repeated ones joined with
#                              ", "), "path" (with the query) and
#                              "subprotocol" (negotiated, or null)
#
# Subprotocols: the server supports chat.v2 and chat.v1 and picks the first
# of the client's offers that it supports. When none matches it answers
# without Sec-WebSocket-Protocol rather than refusing (websockets' own
# default would weigh both sides' orders, and ties are arbitrary).

import argparse
import asyncio
import json
import logging
from urllib.parse import parse_qs, urlsplit

import websockets
import websockets.exceptions

from peer_main import serve_until_stopped

SUBPROTOCOLS = ["chat.v2", "chat.v1"]
MAX_SIZE = 16 * 1024 * 1024


def select_subprotocol(client_subprotocols, server_subprotocols):
    for offer in client_subprotocols:
        if offer in server_subprotocols:
            return offer
    return None


def push_message(index, size, binary):
    if binary:
        data = bytearray((index + j) % 256 for j in range(size))
        if size >= 4:
            data[0:4] = index.to_bytes(4, "big")
        return bytes(data)

    head = '{"i":%d,"pad":"' % index
    tail = '"}'
    if size >= len(head) + len(tail):
        return head + "x" * (size - len(head) - len(tail)) + tail
    if size == 0:
        return ""
    return str(index).zfill(size)[-size:]


def query_int(query, name, default=None):
    values = query.get(name)
    if not values:
        return default
    return int(values[0])


async def route_echo(ws, query):
    async for message in ws:
        await ws.send(message)


async def route_push(ws, query):
    count = query_int(query, "n", 1)
    size = query_int(query, "size", 16)
    binary = query_int(query, "binary", 0) != 0
    code = query_int(query, "close")

    for i in range(count):
        await ws.send(push_message(i, size, binary))

    if code is not None:
        await ws.close(code, "push done")
    else:
        await ws.wait_closed()


async def route_close(ws, query):
    code = query_int(query, "code", 1000)
    reason = query.get("reason", [""])[0]
    await ws.close(code, reason)


async def route_drop(ws, query):
    await ws.send("bye")
    # Make sure "bye" has left our buffers, then drop the transport: the
    # client sees the TCP connection end without a Close frame.
    await ws.drain()
    for _ in range(100):
        if ws.transport.get_write_buffer_size() == 0:
            break
        await asyncio.sleep(0.01)
    ws.transport.abort()


async def route_headers(ws, query):
    headers = {}
    for name, value in ws.request_headers.raw_items():
        key = name.lower()
        headers[key] = headers[key] + ", " + value if key in headers else value
    headers["path"] = ws.path
    headers["subprotocol"] = ws.subprotocol
    await ws.send(json.dumps(headers))
    await ws.wait_closed()


ROUTES = {
    "/echo": route_echo,
    "/push": route_push,
    "/close": route_close,
    "/drop": route_drop,
    "/headers": route_headers,
}


async def handler(ws):
    url = urlsplit(ws.path)
    route = ROUTES.get(url.path)
    if route is None:
        await ws.close(4404, "no route " + url.path)
        return
    try:
        await route(ws, parse_qs(url.query, keep_blank_values=True))
    except websockets.exceptions.ConnectionClosed:
        pass


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lifetime", type=float, default=120.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve_until_stopped(handler, args.lifetime,
                                    subprotocols=SUBPROTOCOLS,
                                    select_subprotocol=select_subprotocol,
                                    max_size=MAX_SIZE,
                                    max_queue=None,
                                    compression=None))
