#!/usr/bin/python3
# fuzzing_server.py: an Autobahn-style fuzzing server for WebSocket clients
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 fuzzing_server.py [--cases ID,ID…] [--lifetime SECONDS]
#   /usr/bin/python3 fuzzing_server.py --list
#
# Python 3 standard library only, raw sockets: it has to be able to send
# frames that no WebSocket library would (reserved bits and opcodes,
# oversized or fragmented control frames, invalid UTF-8, bad close frames).
# The cases follow the groups of Autobahn|Testsuite's fuzzingserver mode
# (1 framing, 2 pings and pongs, 3 reserved bits, 4 opcodes, 5 fragmentation,
# 6 UTF-8, 7 close handling, 9 limits and performance, 10 misc), written
# from their descriptions; a few cases of our own are added (5.21, 5.22,
# 9.9.x). Groups 12 and 13 (permessage-deflate) are not played: the server
# never accepts an extension.
#
# It listens on 127.0.0.1, port 0, and prints "PORT <n>" as the first line
# of stdout. A client connects to /case/<id> (e.g. ws://127.0.0.1:N/case/2.4)
# and is expected to echo every message (`sonde-cli connect --echo`). When a
# connection ends the server prints one JSON line:
#
#   {"case":"2.4","verdict":"OK","reason":"…","duration":0.12}
#
# verdict: OK, NON-STRICT (allowed, e.g. dropping TCP instead of closing with
# 1002), INFORMATIONAL (behaviour the RFC leaves open) or FAILED. Every case
# ends by itself within CASE_DEADLINE seconds. The server exits once every
# case named by --cases was played, when stdin reaches EOF, or when the
# lifetime (default 120 s) has passed.
#
# --list prints one JSON line per case: {"case", "description", "args",
# "exit"}, args being extra client options the case needs (e.g. a message
# limit), exit the client's exit status the case requires (or null).

import argparse
import base64
import hashlib
import json
import os
import select
import socket
import struct
import sys
import threading
import time

CASE_DEADLINE = 5.0          # seconds, a whole connection at most
HANDSHAKE_TIMEOUT = 3.0
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10

OK, NON_STRICT, INFORMATIONAL, FAILED = "OK", "NON-STRICT", "INFORMATIONAL", "FAILED"
RANK = {OK: 0, INFORMATIONAL: 0, NON_STRICT: 1, FAILED: 2}

print_lock = threading.Lock()


def emit(line):
    with print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def unmask(data, key):
    n = len(data)
    if n == 0:
        return b""
    keys = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(keys, "little")).to_bytes(n, "little")


def frame(opcode, payload=b"", fin=True, rsv=0, length=None):
    """One unmasked server frame. @length, when given, repeats @payload to
    that many bytes (Autobahn's payload_len)."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    if length is not None:
        payload = (payload * (length // max(len(payload), 1) + 1))[:length]
    head = bytes([(0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0xF)])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


def close_payload(code=None, reason=b""):
    if isinstance(reason, str):
        reason = reason.encode("utf-8")
    if code is None:
        return reason
    return struct.pack("!H", code) + reason


def describe(events):
    parts = []
    for event in events:
        if event[0] == "message":
            kind = "binary" if event[1] else "text"
            data = event[2]
            shown = data[:24]
            parts.append("%s %d B %r%s" % (kind, len(data), shown, "…" if len(data) > 24 else ""))
        elif event[0] == "pong":
            parts.append("pong %r" % (event[1][:24],))
        else:
            parts.append("%s %s" % event)
    return "[" + ", ".join(parts) + "]"


class Peer:
    """One client connection: a reader thread parses the client's frames into
    events; the case's script sends frames from the connection's thread."""

    def __init__(self, sock, started):
        self.sock = sock
        self.started = started
        self.deadline = started + CASE_DEADLINE
        self.cond = threading.Condition()
        self.received = []            # ("message", binary, bytes), ("pong", bytes), ("timeout", label)
        self.violations = []          # protocol errors by the client
        self.client_close = None      # (code or None, reason bytes)
        self.client_close_first = None  # True: the client started the closing handshake
        self.server_close_sent = False
        self.eof = False              # TCP ended (EOF or reset) before we closed it
        self.write_failed = False
        self.reset = None             # why reading failed (e.g. a TCP reset)
        self.pings_from_client = 0
        self.write_lock = threading.Lock()
        self.pending = []             # pongs the reader could not send during a write

    # -- sending ------------------------------------------------------------

    def write(self, data, chop=None):
        with self.write_lock:
            done = self.write_locked(data, chop)
            while self.pending and not self.write_failed:
                self.write_locked(self.pending.pop(0), None)
            return done

    def write_locked(self, data, chop):
        if self.write_failed:
            return False
        try:
            if not chop:
                self.sock.sendall(data)
            else:
                pieces = [data[i:i + chop] for i in range(0, len(data), chop)]
                pause = 0.0005 if len(pieces) <= 400 else 0
                for piece in pieces:
                    self.sock.sendall(piece)
                    if pause:
                        time.sleep(pause)
            return True
        except OSError:
            self.write_failed = True
            return False

    def send(self, opcode, payload=b"", fin=True, rsv=0, length=None, chop=None):
        return self.write(frame(opcode, payload, fin, rsv, length), chop)

    def closing(self):
        """The server is about to send a Close frame."""
        with self.cond:
            if self.client_close is None and not self.server_close_sent:
                self.client_close_first = False
            self.server_close_sent = True

    def send_close(self, code=None, reason=b""):
        self.closing()
        return self.send(OP_CLOSE, close_payload(code, reason))

    # -- waiting ------------------------------------------------------------

    def ended(self):
        return self.client_close is not None or self.eof

    def pause(self, seconds):
        """Waits @seconds, or less when the client closed or the deadline nears."""
        end = min(time.monotonic() + seconds, self.deadline)
        with self.cond:
            while not self.ended():
                left = end - time.monotonic()
                if left <= 0:
                    return not self.ended()
                self.cond.wait(left)
        return False

    def mark(self, label):
        """Autobahn's ("timeout", label): a wait passed with the connection open."""
        with self.cond:
            if self.ended():
                return False
            self.received.append(("timeout", label))
            return True

    def wait_until(self, predicate, until):
        with self.cond:
            while not predicate():
                left = until - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return True

    # -- reading ------------------------------------------------------------

    def violation(self, text):
        with self.cond:
            self.violations.append(text)
            self.cond.notify_all()

    def reader(self):
        buf = bytearray()
        fragments = None      # (binary, [bytes]) while a message is open
        try:
            while True:
                try:
                    chunk = self.sock.recv(1 << 20)
                except socket.timeout:
                    continue
                if not chunk:
                    break
                buf += chunk
                while True:
                    parsed = self.parse(buf)
                    if parsed is None:
                        break
                    consumed, fin, rsv, opcode, masked, payload = parsed
                    del buf[:consumed]
                    fragments = self.on_frame(fin, rsv, opcode, masked, payload, fragments)
        except OSError as error:
            self.reset = error.strerror or str(error)
        finally:
            with self.cond:
                self.eof = True
                self.cond.notify_all()

    @staticmethod
    def parse(buf):
        if len(buf) < 2:
            return None
        b0, b1 = buf[0], buf[1]
        masked = bool(b1 & 0x80)
        n = b1 & 0x7F
        pos = 2
        if n == 126:
            if len(buf) < 4:
                return None
            n = struct.unpack_from("!H", buf, 2)[0]
            pos = 4
        elif n == 127:
            if len(buf) < 10:
                return None
            n = struct.unpack_from("!Q", buf, 2)[0]
            pos = 10
        key = b""
        if masked:
            if len(buf) < pos + 4:
                return None
            key = bytes(buf[pos:pos + 4])
            pos += 4
        if len(buf) < pos + n:
            return None
        payload = bytes(buf[pos:pos + n])
        if masked:
            payload = unmask(payload, key)
        return pos + n, bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0xF, masked, payload

    def on_frame(self, fin, rsv, opcode, masked, payload, fragments):
        if self.client_close is not None:
            self.violation("the client sent a frame (opcode %d) after its Close frame" % opcode)
            return fragments
        if not masked:
            self.violation("the client sent an unmasked frame (opcode %d)" % opcode)
        if rsv:
            self.violation("the client set reserved bits %d (opcode %d)" % (rsv, opcode))
        if opcode >= 8:
            if not fin or len(payload) > 125:
                self.violation("the client sent a bad control frame (opcode %d, fin %s, %d bytes)"
                               % (opcode, fin, len(payload)))
            if opcode == OP_PING:
                self.pings_from_client += 1
                if not self.server_close_sent:
                    # Never wait for the script's write: it may be blocked
                    # until we read.
                    if self.write_lock.acquire(blocking=False):
                        try:
                            self.write_locked(frame(OP_PONG, payload), None)
                        finally:
                            self.write_lock.release()
                    else:
                        self.pending.append(frame(OP_PONG, payload))
            elif opcode == OP_PONG:
                with self.cond:
                    self.received.append(("pong", payload))
                    self.cond.notify_all()
            elif opcode == OP_CLOSE:
                code = None
                if len(payload) == 1:
                    self.violation("the client sent a Close frame with a 1-byte payload")
                elif len(payload) >= 2:
                    code = struct.unpack("!H", payload[:2])[0]
                with self.cond:
                    if not self.server_close_sent:
                        self.client_close_first = True
                    self.client_close = (code, payload[2:])
                    self.cond.notify_all()
            else:
                self.violation("the client sent reserved opcode %d" % opcode)
            return fragments
        if opcode not in (OP_CONT, OP_TEXT, OP_BINARY):
            self.violation("the client sent reserved opcode %d" % opcode)
            return fragments
        if opcode == OP_CONT:
            if fragments is None:
                self.violation("the client sent a continuation frame with nothing to continue")
                return None
            fragments[1].append(payload)
        else:
            if fragments is not None:
                self.violation("the client started a new message inside a fragmented one")
            fragments = (opcode == OP_BINARY, [payload])
        if fin:
            with self.cond:
                self.received.append(("message", fragments[0], b"".join(fragments[1])))
                self.cond.notify_all()
            return None
        return fragments


# -- cases ------------------------------------------------------------------

class Case:
    """expected: verdict → list of events (("message", binary, bytes),
    ("pong", bytes), ("timeout", label)) in order.
    close: "server" (the server starts the closing handshake, after the
    expected events or its own Close in the script) or "client" (the client
    must fail the connection); codes: the acceptable codes from the client;
    clean: whether dropping TCP instead of a Close frame is a failure.
    wait: how long the server waits for what it expects.
    reset: end with a TCP reset (SO_LINGER 0) instead of a FIN, once the
    closing handshake is over. client_exit: the exit status the client must
    have (check-conformance.py judges it; the server cannot see it)."""

    def __init__(self, cid, description, script, expected, close="server", codes=(1000,),
                 clean=True, wait=3.0, fatal_endpoint=False, informational=False, args=(),
                 reset=False, client_exit=None):
        self.cid = cid
        self.description = description
        self.script = script
        self.expected = expected
        self.close = close
        self.codes = tuple(codes)
        self.clean = clean
        self.wait = wait
        self.fatal_endpoint = fatal_endpoint
        self.informational = informational
        self.args = list(args)
        self.reset = reset
        self.client_exit = client_exit


CASES = {}


def case(cid, description, script, expected=None, **kwargs):
    if expected is None:
        expected = {OK: []}
    elif isinstance(expected, list):
        expected = {OK: expected}
    CASES[cid] = Case(cid, description, script, expected, **kwargs)


def msg(data, binary=False):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return ("message", binary, data)


def pong(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return ("pong", data)


def sends(*frames, chop=None, each=False):
    """A script that sends @frames (tuples of frame() arguments): all in one
    write, one write per frame (@each), or in @chop-byte writes. When one of
    them is a Close frame (without reserved bits), the server starts the
    closing handshake."""
    closes = any(isinstance(f, tuple) and f[0] == OP_CLOSE and (len(f) < 4 or f[3] == 0) for f in frames)

    def script(p):
        blobs = [frame(*f) if isinstance(f, tuple) else f for f in frames]
        if closes:
            p.closing()
        if each:
            for blob in blobs:
                p.write(blob)
                time.sleep(0.001)
        else:
            p.write(b"".join(blobs), chop)
    return script


# Group 1: framing.
for group, opcode, fill in ((1, OP_TEXT, b"*"), (2, OP_BINARY, b"\xfe")):
    for i, (length, chop) in enumerate(((0, None), (125, None), (126, None), (127, None), (128, None),
                                        (65535, None), (65536, None), (65536, 997)), 1):
        data = (fill * length)
        case("1.%d.%d" % (group, i),
             "%s message of %d bytes%s" % ("text" if opcode == OP_TEXT else "binary", length,
                                         ", in %d-byte writes" % chop if chop else ""),
             sends(frame(opcode, data), chop=chop), [msg(data, opcode == OP_BINARY)])

# Group 2: pings and pongs.
BIN8 = b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff"
case("2.1", "ping without payload", sends((OP_PING,)), [pong(b"")])
case("2.2", "ping with a small text payload", sends((OP_PING, "Hello, world!")), [pong("Hello, world!")])
case("2.3", "ping with a small binary payload (NUL bytes)", sends((OP_PING, BIN8)), [pong(BIN8)])
case("2.4", "ping with a 125-byte binary payload", sends((OP_PING, b"\xfe" * 125)), [pong(b"\xfe" * 125)])
case("2.5", "ping with a 126-byte payload (too long for a control frame)",
     sends((OP_PING, b"\xfe" * 126)), [], close="client", codes=(1002,), clean=False)
case("2.6", "ping with a 125-byte payload in 1-byte writes",
     sends((OP_PING, b"\xfe" * 125), chop=1), [pong(b"\xfe" * 125)])
case("2.7", "unsolicited pong without payload", sends((OP_PONG,)), [])
case("2.8", "unsolicited pong with payload", sends((OP_PONG, "unsolicited pong payload")), [])
case("2.9", "unsolicited pong, then ping with payload",
     sends((OP_PONG, "unsolicited pong payload"), (OP_PING, "ping payload")), [pong("ping payload")])
TEN = ["payload-%d" % i for i in range(10)]
case("2.10", "10 pings with payloads", sends(*[(OP_PING, t) for t in TEN]), [pong(t) for t in TEN])
case("2.11", "10 pings with payloads, in 1-byte writes",
     sends(*[(OP_PING, t) for t in TEN], chop=1), [pong(t) for t in TEN])

# Group 3: reserved bits.
HELLO = "Hello, world!"
case("3.1", "text message with RSV = 1", sends((OP_TEXT, HELLO, True, 1)), [],
     close="client", codes=(1002,), clean=False)
for cid, rsv, kwargs in (("3.2", 2, {}), ("3.3", 3, {"each": True}), ("3.4", 4, {"chop": 1})):
    how = {"3.2": "in one write", "3.3": "one write per frame", "3.4": "in 1-byte writes"}[cid]
    case(cid, "text message, then text with RSV = %d, then ping (%s)" % (rsv, how),
         sends((OP_TEXT, HELLO), (OP_TEXT, HELLO, True, rsv), (OP_PING,), **kwargs),
         {OK: [msg(HELLO)], NON_STRICT: []}, close="client", codes=(1002,), clean=False)
case("3.5", "binary message with RSV = 5", sends((OP_BINARY, bytes(range(8)), True, 5)), [],
     close="client", codes=(1002,), clean=False)
case("3.6", "ping with RSV = 6", sends((OP_PING, HELLO, True, 6)), [],
     close="client", codes=(1002,), clean=False)
case("3.7", "close with RSV = 7", sends((OP_CLOSE, close_payload(1000), True, 7)), [],
     close="client", codes=(1002,), clean=False)

# Group 4: reserved opcodes.
for sub, first in ((1, 3), (2, 11)):
    for i in range(5):
        opcode = first + i
        payload = b"" if i in (0, 2) else b"reserved payload"
        cid = "4.%d.%d" % (sub, i + 1)
        kind = "non-control" if sub == 1 else "control"
        if i < 2:
            case(cid, "reserved %s opcode %d%s" % (kind, opcode, " with payload" if payload else ""),
                 sends((opcode, payload)), [], close="client", codes=(1002,), clean=False)
        else:
            case(cid, "text, then reserved %s opcode %d%s, then ping" % (kind, opcode,
                                                                         " with payload" if payload else ""),
                 sends((OP_TEXT, HELLO), (opcode, payload), (OP_PING,)),
                 {OK: [msg(HELLO)], NON_STRICT: []}, close="client", codes=(1002,), clean=False)

# Group 5: fragmentation.
case("5.1", "ping in 2 fragments", sends((OP_PING, "fragment1", False), (OP_CONT, "fragment2")), [],
     close="client", codes=(1002,), clean=False)
case("5.2", "pong in 2 fragments", sends((OP_PONG, "fragment1", False), (OP_CONT, "fragment2")), [],
     close="client", codes=(1002,), clean=False)
for cid, kwargs, how in (("5.3", {}, "one write"), ("5.4", {"each": True}, "one write per frame"),
                         ("5.5", {"chop": 1}, "1-byte writes")):
    case(cid, "text in 2 fragments (%s)" % how,
         sends((OP_TEXT, "fragment1", False), (OP_CONT, "fragment2"), **kwargs), [msg("fragment1fragment2")])
for cid, kwargs, how in (("5.6", {}, "one write"), ("5.7", {"each": True}, "one write per frame"),
                         ("5.8", {"chop": 1}, "1-byte writes")):
    case(cid, "text in 2 fragments with a ping between them (%s)" % how,
         sends((OP_TEXT, "fragment1", False), (OP_PING, "ping payload"), (OP_CONT, "fragment2"), **kwargs),
         [pong("ping payload"), msg("fragment1fragment2")])
for first, fin in ((9, True), (12, False)):
    for j, (kwargs, how) in enumerate((({}, "one write"), ({"each": True}, "one write per frame"),
                                       ({"chop": 1}, "1-byte writes"))):
        case("5.%d" % (first + j),
             "continuation (FIN = %s) with nothing to continue, then text in 3 fragments (%s)"
             % (fin, how),
             sends((OP_CONT, "fragment1", fin), (OP_TEXT, "fragment2", False), (OP_CONT, "fragment3"), **kwargs),
             [], close="client", codes=(1002,), clean=False)
case("5.15", "text in 2 fragments, then a continuation (FIN = false) with nothing to continue, then text",
     sends((OP_TEXT, "fragment1", False), (OP_CONT, "fragment2"), (OP_CONT, "fragment3", False),
           (OP_CONT, "fragment4")),
     {OK: [msg("fragment1fragment2")], NON_STRICT: []}, close="client", codes=(1002,), clean=False)
for cid, fin in (("5.16", False), ("5.17", True)):
    case(cid, "twice: a continuation (FIN = %s) with nothing to continue, then text in 2 fragments" % fin,
         sends(*(((OP_CONT, "fragment1", fin), (OP_TEXT, "fragment2", False), (OP_CONT, "fragment3")) * 2)),
         [], close="client", codes=(1002,), clean=False)
case("5.18", "text in 2 fragments, both with the text opcode",
     sends((OP_TEXT, "fragment1", False), (OP_TEXT, "fragment2")), [],
     close="client", codes=(1002,), clean=False)


def fragments_with_pings(each):
    def script(p):
        send = sends((OP_TEXT, "fragment1", False), (OP_CONT, "fragment2", False), (OP_PING, "pongme 1!"), each=each)
        send(p)
        if not p.pause(0.5):
            return
        sends((OP_CONT, "fragment3", False), (OP_CONT, "fragment4", False), (OP_PING, "pongme 2!"),
              (OP_CONT, "fragment5"), each=each)(p)
    return script


for cid, each in (("5.19", False), ("5.20", True)):
    case(cid, "text in 5 fragments with 2 pings between them and a pause (%s)"
         % ("one write per frame" if each else "in two writes"),
         fragments_with_pings(each),
         [pong("pongme 1!"), pong("pongme 2!"), msg("fragment1fragment2fragment3fragment4fragment5")])


def one_byte_fragments(opcode, count):
    def script(p):
        blobs = [frame(opcode if i == 0 else OP_CONT, b"%c" % (ord("a") + i % 26), i == count - 1)
                 for i in range(count)]
        p.write(b"".join(blobs))
    return script


ALPHA = bytes(ord("a") + i % 26 for i in range(1000))
case("5.21", "(own) text message of 1,000 one-byte fragments", one_byte_fragments(OP_TEXT, 1000), [msg(ALPHA)])
case("5.22", "(own) binary message of 1,000 one-byte fragments", one_byte_fragments(OP_BINARY, 1000),
     [msg(ALPHA, True)])

# Group 6: UTF-8.
KOSME = "κόσμε".encode("utf-8")
case("6.1.1", "empty text message", sends((OP_TEXT, b"")), [msg(b"")])
case("6.1.2", "text in 3 empty fragments",
     sends((OP_TEXT, b"", False), (OP_CONT, b"", False), (OP_CONT, b"")), [msg(b"")])
case("6.1.3", "text in 3 fragments, the first and last empty",
     sends((OP_TEXT, b"", False), (OP_CONT, b"middle frame payload", False), (OP_CONT, b"")),
     [msg("middle frame payload")])
HELLO_UTF8 = "Hello-µ@ßöäüàá-UTF-8!!".encode("utf-8")
case("6.2.1", "valid UTF-8 text in one frame", sends((OP_TEXT, HELLO_UTF8)), [msg(HELLO_UTF8)])
case("6.2.2", "valid UTF-8 text in 2 fragments split on a code point boundary",
     sends((OP_TEXT, HELLO_UTF8[:12], False), (OP_CONT, HELLO_UTF8[12:])), [msg(HELLO_UTF8)])


def bytewise(opcode, data):
    return [(opcode if i == 0 else OP_CONT, data[i:i + 1], i == len(data) - 1) for i in range(len(data))]


case("6.2.3", "valid UTF-8 text in 1-byte fragments (code points split)",
     sends(*bytewise(OP_TEXT, HELLO_UTF8)), [msg(HELLO_UTF8)])
case("6.2.4", "valid UTF-8 κόσμε in 1-byte fragments", sends(*bytewise(OP_TEXT, KOSME)), [msg(KOSME)])
BAD_KOSME = KOSME + b"\xed\xa0\x80edited"
case("6.3.1", "invalid UTF-8 text (a surrogate) in one frame", sends((OP_TEXT, BAD_KOSME)), [],
     close="client", codes=(1007,), clean=False, fatal_endpoint=True)
case("6.3.2", "invalid UTF-8 text (a surrogate) in 1-byte fragments", sends(*bytewise(OP_TEXT, BAD_KOSME)), [],
     close="client", codes=(1007,), clean=False, fatal_endpoint=True)


def fail_fast(part1, part2, part3, chop):
    def script(p):
        p.write(frame(OP_TEXT, part1, False), chop)
        if not p.pause(0.5) or not p.mark("A"):
            return
        p.write(frame(OP_CONT, part2, False), chop)
        if not p.pause(0.5) or not p.mark("B"):
            return
        p.write(frame(OP_CONT, part3, True), chop)
    return script


for i, (part2, chop) in enumerate(((b"\xf4\x90\x80\x80", None), (b"\xf4\x90\x80\x80", 1),
                                   (b"\xed\xa0\x80", None), (b"\xed\xa0\x80", 1)), 1):
    case("6.4.%d" % i, "invalid UTF-8 split over 3 fragments with pauses, the 2nd invalid (%s)%s"
         % (part2.hex(), ", 1-byte writes" if chop else ""),
         fail_fast(KOSME, part2, b"edited", chop),
         {OK: [("timeout", "A")], NON_STRICT: [("timeout", "A"), ("timeout", "B")]},
         close="client", codes=(1007,), clean=False, fatal_endpoint=True)

# One text frame each; (sub-group, title, [(bytes, valid)]).
UTF8_TABLE = [
    (5, "κόσμε", [(KOSME, True), (b"\xce\xba", True), (KOSME + KOSME, True)]),
    (6, "prefixes of κόσμε", [(KOSME[:n], n % 2 == 0) for n in range(1, 11)]),
    (7, "first possible sequence of each length", [(b"\x00", True), (b"\xc2\x80", True),
                                                   (b"\xe0\xa0\x80", True), (b"\xf0\x90\x80\x80", True)]),
    (8, "first possible 5- and 6-byte sequences", [(b"\xf8\x88\x80\x80\x80", False),
                                                   (b"\xfc\x84\x80\x80\x80\x80", False)]),
    (9, "last possible sequence of each length", [(b"\x7f", True), (b"\xdf\xbf", True), (b"\xef\xbf\xbf", True),
                                                  (b"\xf4\x8f\xbf\xbf", True)]),
    (10, "last possible 4-, 5- and 6-byte patterns (out of range)",
     [(b"\xf7\xbf\xbf\xbf", False), (b"\xfb\xbf\xbf\xbf\xbf", False), (b"\xfd\xbf\xbf\xbf\xbf\xbf", False)]),
    (11, "other boundaries", [(b"\xed\x9f\xbf", True), (b"\xee\x80\x80", True), (b"\xef\xbf\xbd", True),
                              (b"\xf4\x8f\xbf\xbf", True), (b"\xf4\x90\x80\x80", False)]),
    (12, "unexpected continuation bytes", [(b"\x80", False), (b"\xbf", False), (b"\x80\xbf", False),
                                           (b"\x80\xbf\x80", False), (b"\x80\xbf\x80\xbf", False),
                                           (b"\x80\xbf\x80\xbf\x80", False),
                                           (b"\x80\xbf\x80\xbf\x80\xbf", False),
                                           (bytes(range(0x80, 0xc0)), False)]),
    (13, "lonely start bytes followed by a space",
     [(b"".join(bytes([c, 0x20]) for c in range(0xc0, 0xe0)), False),
      (b"".join(bytes([c, 0x20]) for c in range(0xe0, 0xf0)), False),
      (b"".join(bytes([c, 0x20]) for c in range(0xf0, 0xf8)), False),
      (b"".join(bytes([c, 0x20]) for c in range(0xf8, 0xfc)), False),
      (b"\xfc\x20\xfd\x20", False)]),
    (14, "sequences with the last continuation byte missing",
     [(b"\xc0", False), (b"\xe0\x80", False), (b"\xf0\x80\x80", False), (b"\xf8\x80\x80\x80", False),
      (b"\xfc\x80\x80\x80\x80", False), (b"\xdf", False), (b"\xef\xbf", False), (b"\xf7\xbf\xbf", False),
      (b"\xfb\xbf\xbf\xbf", False), (b"\xfd\xbf\xbf\xbf\xbf", False)]),
    (15, "concatenated incomplete sequences",
     [(b"\xc0\xe0\x80\xf0\x80\x80\xf8\x80\x80\x80\xfc\x80\x80\x80\x80\xdf\xef\xbf\xf7\xbf\xbf"
       b"\xfb\xbf\xbf\xbf\xfd\xbf\xbf\xbf\xbf", False)]),
    (16, "impossible bytes", [(b"\xfe", False), (b"\xff", False), (b"\xfe\xfe\xff\xff", False)]),
    (17, "overlong slash", [(b"\xc0\xaf", False), (b"\xe0\x80\xaf", False), (b"\xf0\x80\x80\xaf", False),
                            (b"\xf8\x80\x80\x80\xaf", False), (b"\xfc\x80\x80\x80\x80\xaf", False)]),
    (18, "maximum overlong sequences", [(b"\xc1\xbf", False), (b"\xe0\x9f\xbf", False),
                                        (b"\xf0\x8f\xbf\xbf", False), (b"\xf8\x87\xbf\xbf\xbf", False),
                                        (b"\xfc\x83\xbf\xbf\xbf\xbf", False)]),
    (19, "overlong NUL", [(b"\xc0\x80", False), (b"\xe0\x80\x80", False), (b"\xf0\x80\x80\x80", False),
                          (b"\xf8\x80\x80\x80\x80", False), (b"\xfc\x80\x80\x80\x80\x80", False)]),
    (20, "single UTF-16 surrogates", [(bytes([0xed, b, 0x80]), False) for b in (0xa0, 0xad, 0xae, 0xaf, 0xb0,
                                                                                 0xbe, 0xbf)]),
    (21, "paired UTF-16 surrogates", [(b"\xed\xa0\x80\xed\xb0\x80", False), (b"\xed\xa0\x80\xed\xbf\xbf", False),
                                      (b"\xed\xad\xbf\xed\xb0\x80", False), (b"\xed\xad\xbf\xed\xbf\xbf", False),
                                      (b"\xed\xae\x80\xed\xb0\x80", False), (b"\xed\xaf\xbf\xed\xbf\xbf", False)]),
    (22, "noncharacters (valid UTF-8)", [("\ufffe".encode("utf-8"), True), ("\uffff".encode("utf-8"), True),
                                         ("\U0001fffe".encode("utf-8"), True), ("\U0010ffff".encode("utf-8"), True),
                                         ("\ufdd0".encode("utf-8"), True), ("\ufdef".encode("utf-8"), True)]),
    (23, "replacement character and NUL in text", [("\ufffd".encode("utf-8"), True),
                                                   (b"a\x00b\x00", True), (b"\x00" * 16, True),
                                                   (b"\xef\xbf\xbd" + b"\x00" + KOSME, True)]),
]

for sub, title, samples in UTF8_TABLE:
    for i, (data, valid) in enumerate(samples, 1):
        cid = "6.%d.%d" % (sub, i)
        description = "%s UTF-8 text (%s): %s" % ("valid" if valid else "invalid", title, data[:24].hex())
        if valid:
            case(cid, description, sends((OP_TEXT, data)), [msg(data)])
        else:
            case(cid, description, sends((OP_TEXT, data)), [], close="client", codes=(1007,), clean=False,
                 fatal_endpoint=True)

# Group 7: close handling.
case("7.1.1", "text message, then (after its echo) close", sends((OP_TEXT, HELLO)), [msg(HELLO)])
case("7.1.2", "close twice", sends((OP_CLOSE, close_payload(1000)), (OP_CLOSE, close_payload(1000))), [])
case("7.1.3", "close, then ping (no pong expected)", sends((OP_CLOSE, close_payload(1000)), (OP_PING, "after")), [])
case("7.1.4", "close, then text (no echo expected)", sends((OP_CLOSE, close_payload(1000)), (OP_TEXT, HELLO)), [])
case("7.1.5", "first fragment, close, then the last fragment (no echo expected)",
     sends((OP_TEXT, "fragment1", False), (OP_CLOSE, close_payload(1000)), (OP_CONT, "fragment2")), [])
case("7.1.6", "a 256 KiB message, a small one, close, then ping",
     sends(frame(OP_TEXT, b"BAsd7&jh23", length=256 * 1024), (OP_TEXT, "Hello World!"),
           (OP_CLOSE, close_payload(1000)), (OP_PING,)),
     {OK: [msg(b"BAsd7&jh23" * 26214 + b"BAsd"), msg("Hello World!")], NON_STRICT: []}, informational=True)
case("7.3.1", "close with an empty payload", sends((OP_CLOSE, b"")), [], codes=(1000,))
case("7.3.2", "close with a 1-byte payload", sends((OP_CLOSE, b"a")), [], codes=(1002,), clean=False)
case("7.3.3", "close 1000 without reason", sends((OP_CLOSE, close_payload(1000))), [])
case("7.3.4", "close 1000 with a reason", sends((OP_CLOSE, close_payload(1000, "Hello World!"))), [])
case("7.3.5", "close 1000 with a 123-byte reason", sends((OP_CLOSE, close_payload(1000, "*" * 123))), [])
case("7.3.6", "close 1000 with a 124-byte reason (payload too long)",
     sends((OP_CLOSE, close_payload(1000, "*" * 124))), [], codes=(1002,), clean=False)
case("7.5.1", "close 1000 with an invalid UTF-8 reason",
     sends((OP_CLOSE, close_payload(1000, BAD_KOSME))), [], codes=(1002, 1007), clean=False)
for i, code in enumerate((1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999), 1):
    case("7.7.%d" % i, "close with valid code %d" % code, sends((OP_CLOSE, close_payload(code))), [],
         codes=(1000, code))
for i, code in enumerate((0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999), 1):
    case("7.9.%d" % i, "close with invalid code %d" % code, sends((OP_CLOSE, close_payload(code))), [],
         codes=(1002,), clean=False)
for i, code in enumerate((5000, 65535), 1):
    case("7.13.%d" % i, "close with code %d (undefined by the RFC)" % code, sends((OP_CLOSE, close_payload(code))),
         [], codes=(1000, 1002, code), clean=False, informational=True)


case("7.14.1", "(own) close 1000 after an echo, then a TCP reset once the closing handshake completed "
     "(the close is still clean: RFC 6455 7.1.4)", sends((OP_TEXT, HELLO)), [msg(HELLO)], reset=True, client_exit=0)


# Group 9: limits and performance (sizes as Autobahn's, deadlines ours).
def sized(opcode, length, fragment=None, chop=None):
    fill = b"*" if opcode == OP_TEXT else b"\xfe"

    def script(p):
        if fragment is None:
            p.write(frame(opcode, fill, length=length), chop)
            return
        frames = []
        for start in range(0, length, fragment):
            n = min(fragment, length - start)
            frames.append(frame(opcode if start == 0 else OP_CONT, fill * n, start + n >= length))
        p.write(b"".join(frames))
    return script


def sized_expect(opcode, length):
    fill = b"*" if opcode == OP_TEXT else b"\xfe"
    return [msg(fill * length, opcode == OP_BINARY)]


MIB = 1024 * 1024
for sub, opcode in ((1, OP_TEXT), (2, OP_BINARY)):
    for i, length in enumerate((64 * 1024, 256 * 1024, MIB, 4 * MIB, 8 * MIB, 16 * MIB), 1):
        case("9.%d.%d" % (sub, i), "%s message of %d bytes" % ("text" if opcode == OP_TEXT else "binary", length),
             sized(opcode, length), sized_expect(opcode, length), wait=4.5)
for sub, opcode in ((3, OP_TEXT), (4, OP_BINARY)):
    for i, fragment in enumerate((64, 256, 1024, 4096, 16384, 65536, 256 * 1024, MIB, 4 * MIB), 1):
        case("9.%d.%d" % (sub, i), "4 MiB %s message in %d-byte fragments"
             % ("text" if opcode == OP_TEXT else "binary", fragment),
             sized(opcode, 4 * MIB, fragment=fragment), sized_expect(opcode, 4 * MIB), wait=4.5)
for sub, opcode in ((5, OP_TEXT), (6, OP_BINARY)):
    for i, chop in enumerate((64, 128, 256, 512, 1024, 2048), 1):
        case("9.%d.%d" % (sub, i), "1 MiB %s message in %d-byte writes"
             % ("text" if opcode == OP_TEXT else "binary", chop),
             sized(opcode, MIB, chop=chop), sized_expect(opcode, MIB), wait=4.5)


def round_trips(opcode, length, count):
    fill = b"*" if opcode == OP_TEXT else b"\xfe"
    data = fill * length

    def script(p):
        blob = frame(opcode, data)
        for i in range(count):
            if not p.write(blob):
                return
            if not p.wait_until(lambda: len(p.received) > i or p.ended(), p.deadline - 0.5):
                return
            if p.ended():
                return
    return script


for sub, opcode in ((7, OP_TEXT), (8, OP_BINARY)):
    fill = b"*" if opcode == OP_TEXT else b"\xfe"
    for i, length in enumerate((0, 16, 64, 256, 1024, 4096), 1):
        case("9.%d.%d" % (sub, i), "1,000 %s messages of %d bytes, one round trip each"
             % ("text" if opcode == OP_TEXT else "binary", length),
             round_trips(opcode, length, 1000), [msg(fill * length, opcode == OP_BINARY)] * 1000, wait=4.5)


def past_limit(fragment, total):
    def script(p):
        sent = 0
        while sent < total and not p.ended():
            n = min(fragment, total - sent)
            if not p.write(frame(OP_BINARY if sent == 0 else OP_CONT, b"\xfe" * n, sent + n >= total)):
                return
            sent += n
    return script


case("9.9.1", "(own) 8 MiB binary message in 64 KiB fragments past a 1 MiB limit (--max-frame 1048576)",
     past_limit(64 * 1024, 8 * MIB), [], close="client", codes=(1009,), clean=False, args=["--max-frame", "1048576"])
case("9.9.2", "(own) one 2 MiB binary frame past a 1 MiB limit (--max-frame 1048576)",
     past_limit(2 * MIB, 2 * MIB), [], close="client", codes=(1009,), clean=False, args=["--max-frame", "1048576"])
case("9.9.3", "(own) a 1 MiB binary message in 64 KiB fragments, exactly at a 1 MiB limit",
     past_limit(64 * 1024, MIB), [msg(b"\xfe" * MIB, True)], args=["--max-frame", "1048576"])

# Group 10: misc.
case("10.1.1", "64 KiB text message in 1300-byte fragments", sized(OP_TEXT, 65536, fragment=1300),
     sized_expect(OP_TEXT, 65536))


# -- judging ----------------------------------------------------------------

def judge(c, p, handshake_ok):
    if not handshake_ok:
        return FAILED, "the opening handshake did not complete"
    verdicts = []

    if p.violations:
        return FAILED, "protocol violation: " + "; ".join(p.violations[:3])

    received = list(p.received)
    behaviour = None
    for verdict in (OK, NON_STRICT):
        if verdict in c.expected and received == c.expected[verdict]:
            behaviour = verdict
            break
    if behaviour is None:
        expected = c.expected[OK]
        if len(expected) > 8 and all(e == expected[0] for e in expected):
            got = sum(1 for e in received if e == expected[0])
            reason = "%d of %d expected messages came back (%d events)" % (got, len(expected), len(received))
        else:
            reason = "received %s, expected %s" % (describe(received), describe(expected))
        verdicts.append((FAILED, reason))
    elif behaviour == NON_STRICT:
        verdicts.append((NON_STRICT, "received %s, the strict answer is %s" % (describe(received),
                                                                             describe(c.expected[OK]))))

    server_closes = c.close == "server"
    if p.client_close is None:
        if p.eof:
            if c.clean:
                verdicts.append((FAILED, "the client dropped TCP%s without a closing handshake"
                                 % (" (%s)" % p.reset if p.reset else "")))
            else:
                verdicts.append((NON_STRICT, "the client dropped TCP%s instead of closing with %s"
                                 % (" (%s)" % p.reset if p.reset else "", "/".join(map(str, c.codes)))))
            if c.fatal_endpoint and not server_closes and p.server_close_sent:
                verdicts.append((FAILED, "the client did not fail the connection itself"))
        else:
            verdicts.append((FAILED, "no Close frame from the client before the deadline"))
    else:
        code, reason = p.client_close
        if p.client_close_first and server_closes:
            verdicts.append((FAILED, "the client started the close (code %s, reason %r) where the server was to"
                             % (code, reason[:60])))
        elif not p.client_close_first and not server_closes:
            verdicts.append((FAILED, "the client did not fail the connection; the server closed after %.1f s"
                             % c.wait))
        elif code is not None and code not in c.codes:
            verdicts.append((FAILED, "close code %d (reason %r), expected %s" % (code, reason[:60],
                                                                               "/".join(map(str, c.codes)))))
        elif code is None and not server_closes:
            verdicts.append((NON_STRICT, "the client closed without a code, expected %s"
                             % "/".join(map(str, c.codes))))

    if c.informational and not any(v == FAILED and "violation" in r for v, r in verdicts):
        text = "; ".join(r for _, r in verdicts) or "received %s" % describe(received)
        return INFORMATIONAL, text
    if not verdicts:
        return OK, "received %s, closed %s" % (describe(received)[:80], p.client_close[0]
                                                if p.client_close else "")
    worst = max(verdicts, key=lambda v: RANK[v[0]])[0]
    return worst, "; ".join(r for v, r in verdicts if v == worst)


# -- connections ------------------------------------------------------------

def read_request(sock):
    data = b""
    end = time.monotonic() + HANDSHAKE_TIMEOUT
    while b"\r\n\r\n" not in data:
        left = end - time.monotonic()
        if left <= 0 or len(data) > 16384:
            return None, b""
        sock.settimeout(left)
        chunk = sock.recv(4096)
        if not chunk:
            return None, b""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return (lines[0], headers), rest


def refuse(sock, status, text):
    body = text.encode("utf-8")
    try:
        sock.sendall(b"HTTP/1.1 %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                     % (status.encode(), len(body)) + body)
    except OSError:
        pass


def serve(sock, played, wanted, done):
    started = time.monotonic()
    cid = None
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        request, rest = read_request(sock)
        if request is None:
            return
        line, headers = request
        parts = line.split(" ")
        path = parts[1] if len(parts) == 3 else ""
        if not path.startswith("/case/") or path[len("/case/"):].split("?")[0] not in CASES:
            refuse(sock, "404 Not Found", "no such case: %s\n" % path)
            return
        cid = path[len("/case/"):].split("?")[0]
        c = CASES[cid]
        key = headers.get("sec-websocket-key", "")
        if (headers.get("upgrade", "").lower() != "websocket" or headers.get("sec-websocket-version") != "13"
                or not key):
            refuse(sock, "400 Bad Request", "not a WebSocket upgrade\n")
            result(cid, FAILED, "the client's upgrade request was not valid", started, played, wanted, done)
            return
        accept = base64.b64encode(hashlib.sha1(key.encode("ascii") + GUID).digest()).decode("ascii")
        sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: %s\r\n\r\n" % accept).encode("ascii"))
        play(c, sock, rest, started, played, wanted, done)
    except OSError as error:
        if cid is not None:
            result(cid, FAILED, "server socket error: %s" % error, started, played, wanted, done)
    finally:
        try:
            sock.close()
        except OSError:
            pass


def play(c, sock, rest, started, played, wanted, done):
    p = Peer(sock, started)
    sock.settimeout(0.5)
    if rest:
        # The client may not send before our answer; treat it as frames anyway.
        p.violation("the client sent %d bytes before the handshake's answer" % len(rest))
    reader = threading.Thread(target=p.reader, daemon=True)
    reader.start()

    c.script(p)

    if c.close == "server":
        if not p.server_close_sent:
            def matched():
                return p.ended() or p.violations or any(p.received == e for e in c.expected.values())
            until = min(time.monotonic() + c.wait, p.deadline - 0.5)
            if p.wait_until(matched, until) and not p.ended():
                p.pause(0.1)    # anything unexpected after the match
            if not p.ended():
                p.send_close(1000)
    else:
        until = min(time.monotonic() + c.wait, p.deadline - 1.0)
        p.wait_until(lambda: p.ended(), until)
        if not p.ended() and not p.server_close_sent:
            p.send_close(1000)

    # The closing handshake: answer the client's Close, or wait for its answer.
    p.wait_until(lambda: p.ended(), p.deadline - 0.3)
    if p.client_close is not None and not p.server_close_sent:
        code = p.client_close[0]
        with p.cond:
            p.server_close_sent = True
        p.send(OP_CLOSE, close_payload(code) if code is not None and code >= 1000 else b"")
    if c.reset and p.client_close is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with p.write_lock:
            sock.close()
        reader.join(1.0)
        verdict, reason = judge(c, p, True)
        result(c.cid, verdict, reason + " (then reset)", started, played, wanted, done)
        return
    # The server closes TCP first; wait briefly for the client's end.
    try:
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    p.wait_until(lambda: p.eof, min(time.monotonic() + 1.0, p.deadline))
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    reader.join(1.0)
    verdict, reason = judge(c, p, True)
    result(c.cid, verdict, reason, started, played, wanted, done)


def result(cid, verdict, reason, started, played, wanted, done):
    emit(json.dumps({"case": cid, "verdict": verdict, "reason": reason,
                     "duration": round(time.monotonic() - started, 3)}, ensure_ascii=False))
    with print_lock:
        played.add(cid)
        if wanted and wanted <= played:
            done.set()


def case_key(cid):
    return tuple(int(x) for x in cid.split("."))


def main():
    parser = argparse.ArgumentParser(description="Autobahn-style fuzzing server for WebSocket clients")
    parser.add_argument("--cases", help="comma-separated case ids; exit once each was played")
    parser.add_argument("--lifetime", type=float, default=120.0)
    parser.add_argument("--list", action="store_true", help="print the cases as JSON lines and exit")
    args = parser.parse_args()

    if args.list:
        for cid in sorted(CASES, key=case_key):
            c = CASES[cid]
            print(json.dumps({"case": cid, "description": c.description, "args": c.args,
                              "exit": c.client_exit}, ensure_ascii=False))
        return 0

    wanted = set()
    if args.cases:
        wanted = set(x.strip() for x in args.cases.split(",") if x.strip())
        unknown = wanted - set(CASES)
        if unknown:
            print("fuzzing_server.py: unknown cases: %s" % ", ".join(sorted(unknown)), file=sys.stderr)
            return 2

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    emit("PORT %d" % listener.getsockname()[1])

    played = set()
    done = threading.Event()
    stop_at = time.monotonic() + args.lifetime
    stdin_open = True
    why = "lifetime over"
    while not done.is_set():
        left = stop_at - time.monotonic()
        if left <= 0:
            break
        watched = [listener] + ([sys.stdin] if stdin_open else [])
        ready, _, _ = select.select(watched, [], [], min(left, 0.2))
        if sys.stdin in ready:
            if not os.read(sys.stdin.fileno(), 4096):
                stdin_open = False
                why = "stdin closed"
                break
        if listener in ready:
            sock, _ = listener.accept()
            threading.Thread(target=serve, args=(sock, played, wanted, done), daemon=True).start()
    if done.is_set():
        why = "every case was played"
    listener.close()
    # Let connections under way finish (each ends by its own deadline).
    end = time.monotonic() + CASE_DEADLINE + 1
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            thread.join(max(0, end - time.monotonic()))
    print("fuzzing_server.py: stopping: %s" % why, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
