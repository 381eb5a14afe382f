#!/usr/bin/python3
# upgrade_server.py: answers to the opening handshake that break one rule
# each, for tests/test-upgrade.c
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Python's standard library only; run with /usr/bin/python3:
#
#   /usr/bin/python3 upgrade_server.py [--lifetime SECONDS]
#
# Listens on 127.0.0.1, port 0, prints "PORT <n>" once it listens, and
# exits when its stdin reaches EOF or the lifetime (default 90 s) passes.
# One answer per request path (the query is ignored unless said):
#
#   /ok                   a valid 101, then closes after 1 s
#   /leftover             a valid 101 and, in the same write, a text frame
#                         "first" and a binary frame 00 01 02
#   /request              a valid 101 and a text frame holding the request
#                         head exactly as read
#   /bad-accept           101 with a wrong Sec-WebSocket-Accept
#   /no-accept            101 without Sec-WebSocket-Accept
#   /no-upgrade           101 without Upgrade
#   /upgrade-h2c          101 with "Upgrade: h2c"
#   /no-connection        101 without Connection
#   /connection-close     101 with "Connection: close"
#   /protocol             101 choosing the subprotocol "chat.v9"
#   /extension            101 enabling "x-sonde-unknown"
#   /deflate              101 enabling "permessage-deflate"
#   /deflate-bad          101 enabling "permessage-deflate; server_max_window_bits=99"
#   /hop/N                N > 0: 302 to "/hop/N-1" (relative); N = 0: /ok
#   /hop-abs              302 to "http://127.0.0.1:<port>/hop/0"
#   /hop-ftp              302 to "ftp://127.0.0.1/x"
#   /loop                 302 to "/loop"
#   /basic                101 with "Authorization: Basic" for me:p@ss, else
#                         401 asking for Basic credentials
#   /refused-nul          403, Content-Length, body "deny\0ed"
#   /refused-chunked      401, chunked, body "chunk\0one" + "|two"
#   /refused-close        401, no length: body "closed\0body", then closes
#   /refused-big          401, Content-Length 100000 of "y"
#
# Every connection is bounded: 5 s to read the request, 2 s of lingering.

import argparse
import base64
import hashlib
import os
import select
import socket
import sys
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def read_head(sock):
    data = b""
    end = time.monotonic() + 5.0
    while b"\r\n\r\n" not in data:
        left = end - time.monotonic()
        if left <= 0 or len(data) > 65536:
            return None
        sock.settimeout(left)
        chunk = sock.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data[: data.index(b"\r\n\r\n") + 4]


def header(head, name):
    for line in head.split(b"\r\n")[1:]:
        if b":" in line:
            key, value = line.split(b":", 1)
            if key.strip().lower() == name.lower():
                return value.strip()
    return None


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def frame(opcode, payload):
    assert len(payload) < 126
    return bytes([0x80 | opcode, len(payload)]) + payload


def upgrade(head, accept=True, upgrade_value=b"websocket", connection=b"Upgrade", extra=b""):
    key = header(head, b"Sec-WebSocket-Key") or b""
    lines = [b"HTTP/1.1 101 Switching Protocols"]
    if upgrade_value is not None:
        lines.append(b"Upgrade: " + upgrade_value)
    if connection is not None:
        lines.append(b"Connection: " + connection)
    if accept is True:
        lines.append(b"Sec-WebSocket-Accept: " + accept_for(key))
    elif accept:
        lines.append(b"Sec-WebSocket-Accept: " + accept)
    if extra:
        lines.append(extra)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def answer(status, reason, headers=(), body=b""):
    lines = [b"HTTP/1.1 %d %s" % (status, reason)] + list(headers)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def respond(path, head, port):
    if path == "/ok":
        return upgrade(head), 1.0
    if path == "/leftover":
        return upgrade(head) + frame(1, b"first") + frame(2, b"\x00\x01\x02"), 1.0
    if path == "/request":
        return upgrade(head) + bytes([0x81, 126]) + len(head).to_bytes(2, "big") + head, 1.0
    if path == "/bad-accept":
        return upgrade(head, accept=b"dGhlIHNhbXBsZSBub25jZQ=="), 0
    if path == "/no-accept":
        return upgrade(head, accept=False), 0
    if path == "/no-upgrade":
        return upgrade(head, upgrade_value=None), 0
    if path == "/upgrade-h2c":
        return upgrade(head, upgrade_value=b"h2c"), 0
    if path == "/no-connection":
        return upgrade(head, connection=None), 0
    if path == "/connection-close":
        return upgrade(head, connection=b"close"), 0
    if path == "/protocol":
        return upgrade(head, extra=b"Sec-WebSocket-Protocol: chat.v9"), 0
    if path == "/extension":
        return upgrade(head, extra=b"Sec-WebSocket-Extensions: x-sonde-unknown"), 0
    if path == "/deflate":
        return upgrade(head, extra=b"Sec-WebSocket-Extensions: permessage-deflate"), 1.0
    if path == "/deflate-bad":
        return upgrade(head, extra=b"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=99"), 0
    if path.startswith("/hop/") and path[5:].isdigit():
        n = int(path[5:])
        if n == 0:
            return upgrade(head), 1.0
        return answer(302, b"Found", [b"Location: /hop/%d" % (n - 1), b"Content-Length: 0"]), 0
    if path == "/hop-abs":
        return answer(302, b"Found", [b"Location: http://127.0.0.1:%d/hop/0" % port, b"Content-Length: 0"]), 0
    if path == "/hop-ftp":
        return answer(302, b"Found", [b"Location: ftp://127.0.0.1/x", b"Content-Length: 0"]), 0
    if path == "/loop":
        return answer(302, b"Found", [b"Location: /loop", b"Content-Length: 0"]), 0
    if path == "/basic":
        if header(head, b"Authorization") == b"Basic " + base64.b64encode(b"me:p@ss"):
            return upgrade(head), 1.0
        return answer(401, b"Unauthorized", [b'WWW-Authenticate: Basic realm="sonde"', b"Content-Length: 0"]), 0
    if path == "/refused-nul":
        body = b"deny\x00ed"
        return answer(403, b"Forbidden", [b"Content-Length: %d" % len(body)], body), 0
    if path == "/refused-chunked":
        body = b"9\r\nchunk\x00one\r\n4\r\n|two\r\n0\r\n\r\n"
        return answer(401, b"Unauthorized", [b"Transfer-Encoding: chunked"], body), 0
    if path == "/refused-close":
        return answer(401, b"Unauthorized", [], b"closed\x00body"), 0
    if path == "/refused-big":
        return answer(401, b"Unauthorized", [b"Content-Length: 100000"], b"y" * 100000), 0
    return answer(404, b"Not Found", [b"Content-Length: 0"]), 0


def serve(sock, port):
    try:
        head = read_head(sock)
        if head is None:
            return
        target = head.split(b"\r\n", 1)[0].split(b" ")[1].decode("latin-1")
        path = target.split("?", 1)[0]
        data, linger = respond(path, head, port)
        sock.sendall(data)
        # Bounded: read (and drop) what the client sends for a while.
        end = time.monotonic() + min(max(linger, 0.2), 2.0)
        while time.monotonic() < end:
            sock.settimeout(max(0.01, end - time.monotonic()))
            try:
                if not sock.recv(4096):
                    break
            except socket.timeout:
                break
    except OSError:
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass


def accept_loop(listener, port):
    while True:
        try:
            sock, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=serve, args=(sock, port), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description="Hostile answers to the WebSocket handshake")
    parser.add_argument("--lifetime", type=float, default=90.0)
    args = parser.parse_args()

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    threading.Thread(target=accept_loop, args=(listener, port), daemon=True).start()

    sys.stdout.write("PORT %d\n" % port)
    sys.stdout.flush()

    end = time.monotonic() + args.lifetime
    while time.monotonic() < end:
        readable, _, _ = select.select([sys.stdin], [], [], min(1.0, max(0.0, end - time.monotonic())))
        if readable and not os.read(sys.stdin.fileno(), 4096):
            break
    os._exit(0)


if __name__ == "__main__":
    main()
