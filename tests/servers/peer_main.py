# peer_main.py: the main loop the Python test peers share
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# serve_until_stopped() listens on 127.0.0.1, port 0, with
# websockets.serve(), prints one line "PORT <n>" once it listens, and
# serves until the first of: stdin reaching EOF, the lifetime passing,
# SIGTERM or SIGINT. Then it says why on stderr ("<script>: stopping:
# <why>") and closes the server, waiting at most 2 s for it.

import asyncio
import os
import signal
import sys

import websockets


async def serve_until_stopped(handler, lifetime, **serve_kwargs):
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

    server = await websockets.serve(handler, "127.0.0.1", 0, **serve_kwargs)
    sys.stdout.write("PORT %d\n" % server.sockets[0].getsockname()[1])
    sys.stdout.flush()

    why = await stop
    print("%s: stopping: %s" % (os.path.basename(sys.argv[0]), why), file=sys.stderr)
    server.close()
    try:
        await asyncio.wait_for(server.wait_closed(), 2)
    except asyncio.TimeoutError:
        pass
