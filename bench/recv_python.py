#!/usr/bin/python3
# recv_python.py: a Python `websockets` receiver of the ingest benchmark
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 recv_python.py --count N [--timeout S] ws://127.0.0.1:PORT/
#
# The same contract as the C receivers (bench-util.c): a `websockets` 10.4
# (Debian's python3-websockets) asyncio client that iterates over the
# connection and only counts messages and bytes. websockets hands over text
# frames already decoded to str, so "bytes" counts the UTF-8 length the
# server sent (the payloads are ASCII: len() of the str is that length). The
# clock runs from the first message to the last expected one; the process
# then waits for the close handshake and prints one JSON line:
#
#   {"receiver":"python-websockets","count":…,"bytes":…,"seconds":…,"peak_rss_kib":…,"close_code":…}
#
# with "error" added when something went wrong (exit status 1; 2 for bad
# arguments).

import argparse
import asyncio
import json
import os
import resource
import sys
import time

import websockets

# Every receiver accepts messages this large (BENCH_MAX_PAYLOAD).
MAX_PAYLOAD = 64 * 1024 * 1024


class Receiver:
    def __init__(self, expected):
        self.expected = expected
        self.count = 0
        self.bytes = 0
        self.first_ns = 0
        self.last_ns = 0
        self.close_code = 0
        self.problem = None

    async def run(self, url):
        try:
            async with websockets.connect(url, max_size=MAX_PAYLOAD, compression=None,
                                          open_timeout=10, close_timeout=10) as ws:
                try:
                    async for message in ws:
                        if self.count == 0:
                            self.first_ns = time.monotonic_ns()
                        self.count += 1
                        self.bytes += len(message)
                        if self.count == self.expected:
                            self.last_ns = time.monotonic_ns()
                finally:
                    self.close_code = ws.close_code or 0
        except websockets.ConnectionClosedError as e:
            self.problem = f"the connection closed abnormally: {e}"
        except (OSError, websockets.WebSocketException, asyncio.TimeoutError) as e:
            self.problem = str(e) or type(e).__name__


def parse_args():
    parser = argparse.ArgumentParser(prog="recv_python.py",
                                     description="Count a WebSocket flood")
    parser.add_argument("-n", "--count", type=int, required=True,
                        help="messages the server sends")
    parser.add_argument("-t", "--timeout", type=int, default=300,
                        help="give up after this many seconds (default 300)")
    parser.add_argument("url")
    args = parser.parse_args()
    if args.count <= 0 or args.timeout <= 0:
        parser.error("--count and --timeout must be positive")
    return args


def report(receiver, expected, problem):
    if problem is None and receiver.count != expected:
        problem = "message count differs from the expected one"
    if problem is None and receiver.close_code != 1000:
        problem = "the connection did not close with 1000"

    seconds = 0.0
    if receiver.first_ns and receiver.last_ns >= receiver.first_ns:
        seconds = (receiver.last_ns - receiver.first_ns) / 1e9

    result = {
        "receiver": "python-websockets",
        "count": receiver.count,
        "bytes": receiver.bytes,
        "seconds": seconds,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,  # KiB on Linux
        "close_code": receiver.close_code,
    }
    if problem is not None:
        result["error"] = problem

    sys.stdout.write(json.dumps(result, separators=(",", ":")) + "\n")
    sys.stdout.flush()
    return 0 if problem is None else 1


def on_timeout(receiver, expected):
    # Cancelling the client would run its closing handshake against a server
    # that is still flooding: report now and leave at once.
    status = report(receiver, expected, "timed out")
    os._exit(status)


async def run(receiver, args):
    asyncio.get_running_loop().call_later(args.timeout, on_timeout, receiver, args.count)
    await receiver.run(args.url)


def main():
    args = parse_args()
    receiver = Receiver(args.count)

    asyncio.run(run(receiver, args))
    return report(receiver, args.count, receiver.problem)


if __name__ == "__main__":
    sys.exit(main())
