#!/usr/bin/python3
# connect_proxy.py: a tiny HTTP proxy for tests/test-hostile.c
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Python's standard library only; run with /usr/bin/python3:
#
#   /usr/bin/python3 connect_proxy.py [--lifetime SECONDS]
#
# Listens on 127.0.0.1, port 0, and prints one line "PORT <n>" once it
# listens; exits by itself when its stdin reaches EOF or the lifetime
# (default 90 s) has passed.
#
# It relays to loopback addresses only (127.0.0.1, localhost); anything
# else is refused with 403. Two kinds of request:
#
#   CONNECT 127.0.0.1:P HTTP/1.1     answered "200 Connection established",
#                                    then a byte tunnel (wss://)
#   GET http://127.0.0.1:P/path ...  an absolute-form request (ws:// through
#                                    an HTTP proxy): forwarded in origin
#                                    form, then relayed both ways
#
# Each one prints a line on stdout once relaying starts, numbered from 1:
#
#   TUNNEL <n> 127.0.0.1:P
#   FORWARD <n> 127.0.0.1:P
#
# Every relay is bounded: 30 s without traffic, 256 MiB, 60 s in all.

import argparse
import os
import select
import socket
import sys
import threading
import time
from urllib.parse import urlsplit

REQUEST_MAX = 16 * 1024
IDLE_SECONDS = 30.0
RELAY_SECONDS = 60.0
RELAY_MAX = 256 * 1024 * 1024
LOOPBACK = ("127.0.0.1", "localhost")

count = 0
count_lock = threading.Lock()


def announce(kind, target):
    global count
    with count_lock:
        count += 1
        sys.stdout.write("%s %d %s\n" % (kind, count, target))
        sys.stdout.flush()


def read_head(sock):
    data = b""
    end = time.monotonic() + 5.0
    while b"\r\n\r\n" not in data:
        if len(data) > REQUEST_MAX or time.monotonic() > end:
            return None, b""
        sock.settimeout(max(0.01, end - time.monotonic()))
        chunk = sock.recv(4096)
        if not chunk:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def answer(sock, status, reason):
    sock.sendall(("HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                  % (status, reason)).encode("ascii"))


def relay(a, b):
    a.settimeout(None)
    b.settimeout(None)
    moved = 0
    end = time.monotonic() + RELAY_SECONDS
    peers = {a: b, b: a}
    open_ = [a, b]
    while open_ and moved < RELAY_MAX and time.monotonic() < end:
        readable, _, _ = select.select(open_, [], [], IDLE_SECONDS)
        if not readable:
            return
        for s in readable:
            try:
                data = s.recv(65536)
            except OSError:
                return
            if not data:
                # Pass the half-close on; stop when both sides are done.
                open_.remove(s)
                try:
                    peers[s].shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            try:
                peers[s].sendall(data)
            except OSError:
                return
            moved += len(data)


def split_target(authority):
    host, _, port = authority.rpartition(":")
    host = host.strip("[]")
    if not port.isdigit():
        return None, None
    return host, int(port)


def serve(client):
    upstream = None
    try:
        head, rest = read_head(client)
        if head is None:
            return
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            answer(client, 400, "Bad Request")
            return
        method, target, version = parts

        if method == "CONNECT":
            host, port = split_target(target)
            kind = "TUNNEL"
        else:
            url = urlsplit(target)
            if url.scheme not in ("http", "ws") or url.hostname is None:
                answer(client, 400, "Bad Request")
                return
            host, port = url.hostname, url.port or 80
            kind = "FORWARD"

        if host not in LOOPBACK or port is None:
            answer(client, 403, "Forbidden")
            return

        try:
            upstream = socket.create_connection((host, port), timeout=5.0)
        except OSError:
            answer(client, 502, "Bad Gateway")
            return

        if kind == "TUNNEL":
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
        else:
            origin = url.path or "/"
            if url.query:
                origin += "?" + url.query
            kept = [l for l in lines[1:] if not l.lower().startswith("proxy-")]
            upstream.sendall(("%s %s %s\r\n" % (method, origin, version)).encode("latin-1") +
                             "\r\n".join(kept).encode("latin-1") + b"\r\n\r\n" + rest)

        announce(kind, "%s:%d" % (host, port))
        relay(client, upstream)
    except OSError:
        pass
    finally:
        for s in (client, upstream):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass


def accept_loop(listener):
    while True:
        try:
            sock, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=serve, args=(sock,), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description="A tiny HTTP CONNECT proxy for tests")
    parser.add_argument("--lifetime", type=float, default=90.0)
    args = parser.parse_args()

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    threading.Thread(target=accept_loop, args=(listener,), daemon=True).start()

    sys.stdout.write("PORT %d\n" % listener.getsockname()[1])
    sys.stdout.flush()

    end = time.monotonic() + args.lifetime
    why = "lifetime over"
    while time.monotonic() < end:
        readable, _, _ = select.select([sys.stdin], [], [], min(1.0, max(0.0, end - time.monotonic())))
        if readable and not os.read(sys.stdin.fileno(), 4096):
            why = "stdin closed"
            break
    print("connect_proxy.py: stopping: %s" % why, file=sys.stderr, flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
