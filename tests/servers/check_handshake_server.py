#!/usr/bin/python3
# check_handshake_server.py: a WebSocket server (Python `websockets`) that
# lets in only a client that sends what a profile says
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run with /usr/bin/python3 (Debian's python3-websockets 10.4):
#
#   /usr/bin/python3 check_handshake_server.py --header 'NAME: VALUE' \
#       --protocol PROTOCOL --origin ORIGIN --token TOKEN [--lifetime SECONDS]
#
# Keeps the contract of the other peers in this folder (sonde-test-peer.c):
# listens on 127.0.0.1, port 0, prints "PORT <n>" once it listens, and stops
# by itself when its stdin reaches EOF or the lifetime (default 60 s) has
# passed.
#
# Each opening handshake is checked: the request must carry the header
# NAME with exactly VALUE, offer PROTOCOL among its subprotocols, send
# Origin: ORIGIN and Authorization: Bearer TOKEN. Any of them wrong or
# missing: the answer is 401 Unauthorized, with what was wrong in the body,
# and the server prints one line "REFUSED <what was wrong>". All right: the
# server prints "ACCEPTED", selects PROTOCOL, sends one text message,
# '{"welcome":"checked"}', and closes with 1000 "checked".

import argparse
import asyncio
import http
import logging
import sys

import websockets
import websockets.exceptions

from peer_main import serve_until_stopped

WELCOME = '{"welcome":"checked"}'


def report(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def offered_protocols(headers):
    offers = []
    for value in headers.get_all("Sec-WebSocket-Protocol"):
        offers.extend(part.strip() for part in value.split(",") if part.strip())
    return offers


def problems_of(headers, expected):
    problems = []
    name, value = expected.header
    if headers.get_all(name) != [value]:
        problems.append("header %s is %r, not %r" % (name, headers.get_all(name), value))
    if expected.protocol not in offered_protocols(headers):
        problems.append("subprotocol %s not offered (offers: %r)" % (expected.protocol, offered_protocols(headers)))
    if headers.get_all("Origin") != [expected.origin]:
        problems.append("Origin is %r, not %r" % (headers.get_all("Origin"), expected.origin))
    if headers.get_all("Authorization") != ["Bearer " + expected.token]:
        problems.append("Authorization is not the expected bearer token")
    return problems


async def main(expected):
    async def process_request(path, headers):
        problems = problems_of(headers, expected)
        if problems:
            report("REFUSED " + "; ".join(problems))
            body = ("Refused: " + "; ".join(problems) + "\n").encode()
            return (http.HTTPStatus.UNAUTHORIZED, [("Content-Type", "text/plain")], body)
        report("ACCEPTED")
        return None

    async def handler(ws):
        try:
            await ws.send(WELCOME)
            await ws.close(1000, "checked")
        except websockets.exceptions.ConnectionClosed:
            pass

    await serve_until_stopped(handler, expected.lifetime,
                              process_request=process_request,
                              subprotocols=[expected.protocol],
                              compression=None)


def parse_header(text):
    name, colon, value = text.partition(":")
    if not colon or not name.strip():
        raise argparse.ArgumentTypeError("give the header as 'NAME: VALUE'")
    return name.strip(), value.strip()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--header", type=parse_header, required=True)
    parser.add_argument("--protocol", required=True)
    parser.add_argument("--origin", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--lifetime", type=float, default=60.0)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(parser.parse_args()))
