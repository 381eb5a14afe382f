#!/usr/bin/python3
# fault_server.py: a hostile WebSocket server for tests/test-hostile.c
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Python's standard library only; run with /usr/bin/python3:
#
#   /usr/bin/python3 fault_server.py [--lifetime SECONDS] [--tls CERT KEY]
#
# Listens on 127.0.0.1, port 0, and prints one line "PORT <n>" once it
# listens. It exits by itself when its stdin reaches EOF (the test closed
# the pipe, or died) or when the lifetime (default 90 s) has passed. With
# --tls it speaks TLS with the given certificate and key (PEM) first.
#
# Every connection is served by raw sockets and hand-built frames, chosen by
# the request path. Every scenario is bounded: at most CONNECTION_SECONDS on
# one connection, and at most the bytes its parameters allow (clamped below).
#
# Handshake faults (the answer to the upgrade request):
#   /stall                     reads the request, never answers
#   /trickle?interval=S        a valid 101 answer, one byte every S s (1)
#   /huge-headers?kib=N        101 with N KiB of extra headers (1024; max 65536)
#   /bad-accept                101 with a wrong Sec-WebSocket-Accept
#   /http-NNN?after=S          status NNN (200, 401, 403, 404, 429, 503...),
#                              with Retry-After: S when given
#   /redirect?to=PATH&token=T  302 to ws://127.0.0.1:<port>PATH (/echo-once),
#                              with the token=T parameter passed on
#   /unrequested-extension     101 with Sec-WebSocket-Extensions: x-sonde-unknown
#                              (or ?name=permessage-deflate)
#   /unrequested-protocol      101 with Sec-WebSocket-Protocol: chat.v9
# Frame faults (after a valid 101):
#   /bad-utf8-text             a text message that is not UTF-8
#   /bad-utf8-close-reason     Close 1000 with a reason that is not UTF-8
#   /masked-frame              a masked text frame
#   /reserved-opcode?op=N      a frame with opcode N (3)
#   /rsv-bits?rsv=N            a text frame with RSV bits N (4 = RSV1)
#   /big-ping                  a Ping with a 126-byte payload
#   /fragmented-ping           a Ping without FIN
#   /non-minimal-length?form=16|64
#                              "hello" with its length in 16 (or 64) bits
#   /close-999                 Close with code 999
#   /close-1005-on-wire        Close with code 1005
#   /close-1-byte              Close with a 1-byte payload
#   /data-after-close          Close 1000, then a text frame
#   /over-limit?size=N         one binary message of N bytes (max 256 MiB)
#   /length-2-40               a header declaring 2^40 bytes, then 64 KiB
#   /length-top-bit            a 64-bit length with its top bit set
#   /endless-fragments?chunk=N&max=M
#                              a text message whose continuation frames
#                              never end (N bytes each, 64 KiB; until M
#                              bytes, 64 MiB, max 256 MiB, or 10 s), then
#                              Close 1000 "endless fragments gave up"
#   /ping-flood?n=N            N Pings (10000; max 200000) without reading
#                              the pongs, then Close 1000 "flood done"
#   /fragmented?size=N&chunk=C one whole text message of N bytes of "a" (1000;
#                              max 256 MiB) in frames of C bytes (1; max
#                              1 MiB): the first a text frame, then
#                              continuations, the last with FIN
#   /deflate-zeros?size=N      answers the upgrade with permessage-deflate
#                              (400 when the client did not offer it), then
#                              ONE binary frame, RSV1 set, holding N zero
#                              bytes (1000; max 1 GiB) deflated with
#                              sync-flush, its 00 00 ff ff tail stripped: at
#                              1 GiB the frame is 1,044,026 bytes, just under
#                              1 MiB (a deflate bomb)
#   /blackhole                 reads and discards everything, sends nothing
#   /ignore-pings              "tick" every 0.5 s, never a Pong
#   /never-answer-close        "hello", then never answers the client's Close
#   /reset-mid-frame           half a frame, then a TCP reset
#   /fin-mid-frame             half a frame, then a TCP FIN
#   /flood?n=N&size=S          N text messages of S bytes (1000, 100; at most
#                              256 MiB in all), then Close 1000 "flood done"
#   /echo-once                 echoes one message, then Close 1000 "echo done"
#   /quiet                     sends nothing, answers a Close
#   /drop-once?key=K           the first connection for K sends "hello" and
#                              drops without a Close frame; later ones
#                              behave as /quiet
# Anything else is answered 404.
#
# The frame faults send their fault, then wait (reading) for the client to
# close, answering its Close, so the client decides how the connection ends.
# Once a closing handshake is complete the server closes the TCP connection
# first, as RFC 6455 §7.1.1 asks. ("Connection refused" needs no route: the
# tests use a port nothing listens on.)

import argparse
import base64
import hashlib
import os
import select
import socket
import ssl
import struct
import sys
import threading
import time
import zlib
from urllib.parse import parse_qs, quote, urlsplit

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONNECTION_SECONDS = 30.0
REQUEST_MAX = 16 * 1024
READ_FRAME_MAX = 1024 * 1024
MAX_TOTAL = 256 * 1024 * 1024

drop_once_seen = set()
drop_once_lock = threading.Lock()


class Done(Exception):
    """The connection is over (peer gone, deadline passed)."""


def log(text):
    print("fault_server.py: %s" % text, file=sys.stderr, flush=True)


def frame(opcode, payload=b"", fin=True, rsv=0, mask=None, length=None, form=None):
    """One frame, by hand. @length overrides the declared length; @form
    forces the length encoding (7, 16 or 64 bits)."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0x0F)
    m = 0x80 if mask is not None else 0
    if form is None:
        form = 7 if n < 126 else 16 if n < 65536 else 64
    if form == 7:
        head = bytes([b0, m | n])
    elif form == 16:
        head = bytes([b0, m | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, m | 127]) + struct.pack(">Q", n)
    if mask is not None:
        head += mask
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + payload


def close_payload(code, reason=b""):
    return struct.pack(">H", code) + reason


class Connection:
    def __init__(self, sock, port, tls):
        self.sock = sock
        self.port = port
        self.tls = tls
        self.deadline = time.monotonic() + CONNECTION_SECONDS
        self.buffer = b""
        self.path = ""
        self.query = {}
        self.headers = {}

    def remaining(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Done("connection deadline")
        return left

    def send(self, data):
        self.sock.settimeout(self.remaining())
        try:
            self.sock.sendall(data)
        except (OSError, ValueError) as e:
            raise Done("send: %s" % e)

    def recv(self, limit=65536, timeout=None):
        """Some bytes, b"" on EOF; None when @timeout passed first."""
        wait = self.remaining() if timeout is None else min(timeout, self.remaining())
        self.sock.settimeout(wait)
        try:
            return self.sock.recv(limit)
        except socket.timeout:
            return None
        except (OSError, ValueError) as e:
            raise Done("recv: %s" % e)

    def q(self, name, default, low=None, high=None, kind=int):
        values = self.query.get(name)
        if not values:
            return default
        try:
            value = kind(values[0])
        except ValueError:
            return default
        if low is not None:
            value = max(low, value)
        if high is not None:
            value = min(high, value)
        return value

    def read_request(self):
        while b"\r\n\r\n" not in self.buffer:
            if len(self.buffer) > REQUEST_MAX:
                raise Done("request too large")
            data = self.recv()
            if not data:
                raise Done("no request")
            self.buffer += data
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) < 2:
            raise Done("bad request line")
        url = urlsplit(parts[1])
        self.path = url.path
        self.query = parse_qs(url.query, keep_blank_values=True)
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def accept_key(self):
        key = self.headers.get("sec-websocket-key", "").encode("latin-1")
        return base64.b64encode(hashlib.sha1(key + GUID).digest()).decode("ascii")

    def handshake_text(self, accept=None, extra=""):
        return ("HTTP/1.1 101 Switching Protocols\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                "Sec-WebSocket-Accept: %s\r\n%s\r\n"
                % (accept or self.accept_key(), extra)).encode("latin-1")

    def upgrade(self, extra=""):
        self.send(self.handshake_text(extra=extra))

    def read_frame(self, timeout=None):
        """(fin, opcode, payload) of the client's next frame; None on EOF or
        when @timeout passed."""
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            parsed = self.parse_frame()
            if parsed is not None:
                return parsed
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                return None
            data = self.recv(timeout=left)
            if not data:
                return None
            self.buffer += data

    def parse_frame(self):
        b = self.buffer
        if len(b) < 2:
            return None
        fin = bool(b[0] & 0x80)
        opcode = b[0] & 0x0F
        masked = bool(b[1] & 0x80)
        n = b[1] & 0x7F
        at = 2
        if n == 126:
            if len(b) < 4:
                return None
            n = struct.unpack(">H", b[2:4])[0]
            at = 4
        elif n == 127:
            if len(b) < 10:
                return None
            n = struct.unpack(">Q", b[2:10])[0]
            at = 10
        if n > READ_FRAME_MAX:
            raise Done("client frame too large")
        mask = b""
        if masked:
            if len(b) < at + 4:
                return None
            mask = b[at:at + 4]
            at += 4
        if len(b) < at + n:
            return None
        payload = b[at:at + n]
        if masked:
            payload = bytes(x ^ mask[i % 4] for i, x in enumerate(payload))
        self.buffer = b[at + n:]
        return fin, opcode, payload

    def serve_until_close(self, answer=True, on_ping=None, idle=None):
        """Reads the client's frames until its Close (answered with the same
        code when @answer) or EOF. @idle is called when 0.5 s pass without
        a frame."""
        while True:
            got = self.read_frame(timeout=0.5 if idle else None)
            if got is None:
                if idle is None:
                    return
                # EOF or a quiet half second: tell them apart.
                if self.peer_gone():
                    return
                idle()
                continue
            fin, opcode, payload = got
            if opcode == 0x8:
                if answer:
                    self.send(frame(0x8, payload[:2]))
                self.end()
                return
            if opcode == 0x9 and on_ping is not None:
                on_ping(payload)

    def peer_gone(self):
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        if not readable:
            return False
        data = self.recv(timeout=0)
        if data is None:
            return False
        if not data:
            return True
        self.buffer += data
        return False

    def discard_until_eof(self):
        while True:
            data = self.recv()
            if not data:
                return

    def linger(self):
        """After our last frame: wait (bounded) for the peer to close."""
        end = time.monotonic() + 2.0
        while time.monotonic() < end:
            data = self.recv(timeout=end - time.monotonic())
            if not data:
                return

    def end(self):
        """The closing handshake is done: the server closes the TCP
        connection first (RFC 6455 §7.1.1). In plain TCP, a FIN and a
        bounded wait for the client's, so nothing unread turns the close
        into a reset; with TLS, at once (libsoup does not half-close TLS)."""
        if self.tls:
            return
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            return
        self.linger()

    def close_with(self, code, reason=b""):
        self.send(frame(0x8, close_payload(code, reason)))
        self.serve_until_close(answer=False)

    def reset(self):
        """A TCP reset: SO_LINGER with a zero timeout, then close."""
        raw = self.sock
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raw.close()


# Handshake faults


def route_stall(c):
    c.discard_until_eof()


def route_trickle(c):
    interval = c.q("interval", 1.0, 0.05, 5.0, float)
    answer = c.handshake_text()
    for i in range(len(answer)):
        c.send(answer[i:i + 1])
        if c.recv(timeout=interval) == b"":
            return
    c.serve_until_close()


def route_huge_headers(c):
    kib = c.q("kib", 1024, 1, 65536)
    c.send(b"HTTP/1.1 101 Switching Protocols\r\n")
    line = b"X-Filler: " + b"x" * 1012 + b"\r\n"   # 1 KiB a line
    batch = line * 64
    for _ in range(kib // 64):
        c.send(batch)
    c.send(line * (kib % 64))
    c.send(("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n"
            % c.accept_key()).encode("ascii"))
    c.serve_until_close()


def route_bad_accept(c):
    wrong = base64.b64encode(hashlib.sha1(b"not the key" + GUID).digest()).decode("ascii")
    c.send(c.handshake_text(accept=wrong))
    c.serve_until_close()


REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def http_answer(c, status, extra="", body=b""):
    c.send(("HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
            "Connection: close\r\n%s\r\n" % (status, REASONS.get(status, "Status"), len(body), extra)
            ).encode("latin-1") + body)
    if not c.tls:
        c.sock.shutdown(socket.SHUT_WR)
    c.linger()


def route_http_status(c, status):
    extra = ""
    after = c.query.get("after")
    if after:
        extra += "Retry-After: %s\r\n" % after[0].replace("\r", "").replace("\n", "")
    if status == 401:
        extra += 'WWW-Authenticate: Bearer realm="hostile"\r\n'
    body = b"<html><body>a plain page, not a WebSocket</body></html>\n" if status == 200 \
        else ("%d from fault_server.py\n" % status).encode("ascii")
    http_answer(c, status, extra, body)


def route_redirect(c):
    target = c.query.get("to", ["/echo-once"])[0]
    if not target.startswith("/"):
        target = "/echo-once"
    # A server that hands the client's token on, as some do.
    token = c.query.get("token")
    if token:
        target += ("&" if "?" in target else "?") + "token=" + quote(token[0], safe="")
    http_answer(c, 302, "Location: ws://127.0.0.1:%d%s\r\n" % (c.port, target))


def route_unrequested_extension(c):
    name = c.query.get("name", ["x-sonde-unknown"])[0]
    c.upgrade("Sec-WebSocket-Extensions: %s\r\n" % name)
    c.serve_until_close()


def route_unrequested_protocol(c):
    c.upgrade("Sec-WebSocket-Protocol: chat.v9\r\n")
    c.serve_until_close()


# Frame faults


def fault(data):
    """Sends @data after the handshake. When @data is a Close frame, the
    client's answer is not answered again."""
    closes = (data[0] & 0x0F) == 0x8

    def route(c):
        c.upgrade()
        c.send(data)
        c.serve_until_close(answer=not closes)
    return route


def route_non_minimal_length(c):
    form = c.q("form", 16, 16, 64)
    c.upgrade()
    c.send(frame(0x1, b"hello", form=64 if form > 16 else 16))
    c.serve_until_close()


def route_reserved_opcode(c):
    op = c.q("op", 3, 0, 15)
    c.upgrade()
    c.send(frame(op, b"reserved"))
    c.serve_until_close()


def route_rsv_bits(c):
    rsv = c.q("rsv", 4, 1, 7)
    c.upgrade()
    c.send(frame(0x1, b"rsv", rsv=rsv))
    c.serve_until_close()


def route_data_after_close(c):
    c.upgrade()
    c.send(frame(0x8, close_payload(1000, b"bye")) + frame(0x1, b"after close"))
    c.serve_until_close(answer=False)


def route_over_limit(c):
    size = c.q("size", 2 * 1024 * 1024, 1, MAX_TOTAL)
    c.upgrade()
    c.send(frame(0x2, b"", length=size))
    chunk = b"\x00" * 65536
    sent = 0
    while sent < size:
        piece = chunk[:min(len(chunk), size - sent)]
        c.send(piece)
        sent += len(piece)
    c.serve_until_close()


def route_length_2_40(c):
    c.upgrade()
    c.send(frame(0x2, b"", length=1 << 40, form=64) + b"\x00" * 65536)
    c.serve_until_close()


def route_length_top_bit(c):
    c.upgrade()
    c.send(frame(0x2, b"", length=(1 << 63) | 5, form=64) + b"hello")
    c.serve_until_close()


def route_endless_fragments(c):
    chunk = c.q("chunk", 65536, 1, 1024 * 1024)
    limit = c.q("max", 64 * 1024 * 1024, 1, MAX_TOTAL)
    end = time.monotonic() + 10.0
    c.upgrade()
    c.send(frame(0x1, b"{", fin=False))
    piece = frame(0x0, b"a" * chunk, fin=False)
    sent = 1
    while sent < limit and time.monotonic() < end:
        c.send(piece)
        sent += chunk
    # Still no final fragment: a Close, which a client that accepted all of
    # this answers (one that failed the connection is gone already).
    c.send(frame(0x8, close_payload(1000, b"endless fragments gave up")))
    c.serve_until_close(answer=False)


def route_ping_flood(c):
    n = c.q("n", 10000, 1, 200000)
    ping = frame(0x9, b"flood!!!")
    batch = 1000
    c.upgrade()
    for i in range(0, n, batch):
        c.send(ping * min(batch, n - i))
    c.send(frame(0x8, close_payload(1000, b"flood done")))
    c.serve_until_close(answer=False)


def route_fragmented(c):
    size = c.q("size", 1000, 1, MAX_TOTAL)
    chunk = c.q("chunk", 1, 1, 1024 * 1024)
    c.upgrade()
    sent = 0
    batch = []
    while sent < size:
        n = min(chunk, size - sent)
        batch.append(frame(0x1 if sent == 0 else 0x0, b"a" * n, fin=sent + n == size))
        sent += n
        if len(batch) >= 64 or sent == size:
            c.send(b"".join(batch))
            batch = []
    c.serve_until_close()


DEFLATE_BOMB_MAX = 1024 * 1024 * 1024
DEFLATE_PERIOD = 16 * 1024 * 1024
deflated_zeros = {}
deflated_zeros_lock = threading.Lock()


def deflate_zeros(size):
    """N zero bytes deflated (raw, window 2^15) with a sync flush every
    16 MiB, the final 00 00 ff ff stripped (RFC 7692 §7.2.1). Once the
    window is all zeros, every further 16 MiB deflates to the same bytes
    (checked: inflating the 1 GiB result gives 1 GiB back), so only the
    first two periods and the remainder are compressed; kept per size."""
    with deflated_zeros_lock:
        if size in deflated_zeros:
            return deflated_zeros[size]
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        parts = []
        full, rest = divmod(size, DEFLATE_PERIOD)
        if full > 0:
            zeros = bytes(DEFLATE_PERIOD)
            parts.append(c.compress(zeros) + c.flush(zlib.Z_SYNC_FLUSH))
            if full > 1:
                periodic = c.compress(zeros) + c.flush(zlib.Z_SYNC_FLUSH)
                parts.append(periodic * (full - 1))
        if rest > 0 or not parts:
            parts.append(c.compress(bytes(rest)) + c.flush(zlib.Z_SYNC_FLUSH))
        data = b"".join(parts)
        assert data.endswith(b"\x00\x00\xff\xff")
        deflated_zeros[size] = data[:-4]
        return deflated_zeros[size]


def route_deflate_zeros(c):
    size = c.q("size", 1000, 0, DEFLATE_BOMB_MAX)
    offered = c.headers.get("sec-websocket-extensions", "")
    if "permessage-deflate" not in offered:
        http_answer(c, 400, body=b"permessage-deflate was not offered")
        return
    payload = deflate_zeros(size)
    c.upgrade("Sec-WebSocket-Extensions: permessage-deflate\r\n")
    c.send(frame(0x2, payload, rsv=4))
    c.serve_until_close()


def route_blackhole(c):
    c.upgrade()
    c.discard_until_eof()


def route_ignore_pings(c):
    c.upgrade()
    c.serve_until_close(idle=lambda: c.send(frame(0x1, b"tick")))


def route_never_answer_close(c):
    c.upgrade()
    c.send(frame(0x1, b"hello"))
    while True:
        got = c.read_frame()
        if got is None:
            return
        if got[1] == 0x8:
            # Heard, never answered: reads on until the client gives up.
            c.discard_until_eof()
            return


def route_reset_mid_frame(c):
    c.upgrade()
    c.send(frame(0x2, b"0123456789", length=1000))
    time.sleep(0.2)   # let the partial frame arrive before the reset
    c.reset()


def route_fin_mid_frame(c):
    c.upgrade()
    c.send(frame(0x2, b"0123456789", length=1000))
    c.sock.shutdown(socket.SHUT_WR)
    c.discard_until_eof()


def route_flood(c):
    n = c.q("n", 1000, 1, 10 * 1000 * 1000)
    size = c.q("size", 100, 0, 1024 * 1024)
    if n * size > MAX_TOTAL:
        n = max(1, MAX_TOTAL // max(size, 1))
    message = frame(0x1, b"x" * size)
    batch = max(1, 65536 // len(message))
    c.upgrade()
    for i in range(0, n, batch):
        c.send(message * min(batch, n - i))
    c.close_with(1000, b"flood done")


def route_echo_once(c):
    c.upgrade()
    while True:
        got = c.read_frame()
        if got is None:
            return
        fin, opcode, payload = got
        if opcode in (0x1, 0x2):
            c.send(frame(opcode, payload))
            c.close_with(1000, b"echo done")
            return
        if opcode == 0x8:
            c.send(frame(0x8, payload[:2]))
            c.end()
            return


def route_quiet(c):
    c.upgrade()
    c.serve_until_close()


def route_drop_once(c):
    key = c.query.get("key", [""])[0]
    with drop_once_lock:
        first = key not in drop_once_seen
        drop_once_seen.add(key)
    c.upgrade()
    if not first:
        c.serve_until_close()
        return
    c.send(frame(0x1, b"hello"))
    time.sleep(0.1)
    c.reset()


ROUTES = {
    "/stall": route_stall,
    "/trickle": route_trickle,
    "/huge-headers": route_huge_headers,
    "/bad-accept": route_bad_accept,
    "/redirect": route_redirect,
    "/unrequested-extension": route_unrequested_extension,
    "/unrequested-protocol": route_unrequested_protocol,
    "/bad-utf8-text": fault(frame(0x1, b"caf\xc3 \xff\xfe")),
    "/bad-utf8-close-reason": fault(frame(0x8, close_payload(1000, b"bye \xff\xfe"))),
    "/masked-frame": fault(frame(0x1, b"masked", mask=b"\x12\x34\x56\x78")),
    "/reserved-opcode": route_reserved_opcode,
    "/rsv-bits": route_rsv_bits,
    "/big-ping": fault(frame(0x9, b"p" * 126)),
    "/fragmented-ping": fault(frame(0x9, b"part", fin=False)),
    "/non-minimal-length": route_non_minimal_length,
    "/close-999": fault(frame(0x8, close_payload(999, b"low"))),
    "/close-1005-on-wire": fault(frame(0x8, close_payload(1005))),
    "/close-1-byte": fault(frame(0x8, b"\x03")),
    "/data-after-close": route_data_after_close,
    "/over-limit": route_over_limit,
    "/length-2-40": route_length_2_40,
    "/length-top-bit": route_length_top_bit,
    "/endless-fragments": route_endless_fragments,
    "/ping-flood": route_ping_flood,
    "/fragmented": route_fragmented,
    "/deflate-zeros": route_deflate_zeros,
    "/blackhole": route_blackhole,
    "/ignore-pings": route_ignore_pings,
    "/never-answer-close": route_never_answer_close,
    "/reset-mid-frame": route_reset_mid_frame,
    "/fin-mid-frame": route_fin_mid_frame,
    "/flood": route_flood,
    "/echo-once": route_echo_once,
    "/quiet": route_quiet,
    "/drop-once": route_drop_once,
}


def serve(sock, port, context):
    raw = sock
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if context is not None:
            sock.settimeout(5.0)
            sock = context.wrap_socket(sock, server_side=True)
        c = Connection(sock, port, context is not None)
        c.read_request()
        route = ROUTES.get(c.path)
        if route is not None:
            route(c)
        elif c.path.startswith("/http-") and c.path[6:].isdigit() and len(c.path) == 9:
            route_http_status(c, int(c.path[6:]))
        else:
            http_answer(c, 404)
    except Done:
        pass
    except (OSError, ssl.SSLError, ValueError):
        pass
    finally:
        try:
            sock.close()
        except OSError:
            pass
        if sock is not raw:
            try:
                raw.close()
            except OSError:
                pass


def accept_loop(listener, port, context):
    while True:
        try:
            sock, _ = listener.accept()
        except OSError:
            return
        threading.Thread(target=serve, args=(sock, port, context), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description="A hostile WebSocket server for tests")
    parser.add_argument("--lifetime", type=float, default=90.0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    args = parser.parse_args()

    context = None
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    threading.Thread(target=accept_loop, args=(listener, port, context), daemon=True).start()

    sys.stdout.write("PORT %d\n" % port)
    sys.stdout.flush()

    # Until stdin ends (the test is done, or gone) or the lifetime passes.
    end = time.monotonic() + args.lifetime
    why = "lifetime over"
    while time.monotonic() < end:
        readable, _, _ = select.select([sys.stdin], [], [], min(1.0, max(0.0, end - time.monotonic())))
        if readable and not os.read(sys.stdin.fileno(), 4096):
            why = "stdin closed"
            break
    log("stopping: %s" % why)
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
