#!/usr/bin/python3
# test-cli-decode.py: `sonde-cli connect --decode` against feeds encoded by
# real encoders nobody here wrote (Python's gzip, zlib, msgpack and cbor2,
# and Google's protobuf with a descriptor set protoc writes)
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A websockets server on 127.0.0.1 (in a thread of this process) sends the
# same five ticks in the encoding the URL's path names, then a payload that
# does not decode, then closes. Sonde must read the same numbers from each
# (--extract with --where), carry the view as "decoded" and the failure as
# "decode_error" (with its byte) in its JSON lines, which must validate
# against docs/record.schema.json, and refuse a bad chain with exit 2.

import asyncio
import csv
import gzip
import importlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import zlib

import cbor2
import msgpack
import websockets

from sonde_test_cli import finish, ok

CLI = os.environ["SONDE_CLI"]
SRCDIR = os.environ.get("G_TEST_SRCDIR", os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(SRCDIR, "..", "docs", "record.schema.json")
CHECK = os.path.join(SRCDIR, "check-records.py")

TICKS = [{"sym": "ABC", "price": 100.25 + i, "seq": i} for i in range(5)]
TMP = tempfile.mkdtemp(prefix="sonde-cli-decode-")
PROTO = os.path.join(SRCDIR, "data", "ticker.proto")
DESCRIPTOR = os.path.join(TMP, "ticker.pb")
ticker_pb2 = None


def compile_proto():
    """protoc writes the descriptor set Sonde reads and the module Python
    encodes with."""
    global ticker_pb2
    subprocess.run(["protoc", "--proto_path=" + os.path.dirname(PROTO), "--descriptor_set_out=" + DESCRIPTOR,
                    "--include_imports", "--python_out=" + TMP, PROTO], check=True)
    sys.path.insert(0, TMP)
    ticker_pb2 = importlib.import_module("ticker_pb2")


def encode(mode, tick):
    text = json.dumps(tick).encode()
    if mode == "gzip":
        return gzip.compress(text)
    if mode == "zlib":
        return zlib.compress(text)
    if mode == "msgpack":
        return msgpack.packb(tick)
    if mode == "cbor":
        return cbor2.dumps(tick)
    if mode == "gzip-msgpack":
        return gzip.compress(msgpack.packb(tick))
    if mode == "protobuf":
        message = ticker_pb2.Ticker(symbol=tick["sym"], price=tick["price"], count=tick["seq"])
        return message.SerializeToString()
    raise ValueError(mode)


async def handler(ws, path=None):
    mode = (path if path is not None else ws.path).strip("/")
    for tick in TICKS:
        await ws.send(encode(mode, tick))
    await ws.send(b"\x1f\x8b\x08\x00broken")    # a gzip header, then garbage
    await ws.close()


def serve(ready, port_box, stop):
    async def main():
        async with websockets.serve(handler, "127.0.0.1", 0) as server:
            port_box.append(server.sockets[0].getsockname()[1])
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.05)
    asyncio.run(main())


def run(*args):
    proc = subprocess.run([CLI] + list(args), capture_output=True, timeout=60)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode("utf-8", "replace")


def main():
    compile_proto()
    ready, stop, port_box = threading.Event(), threading.Event(), []
    thread = threading.Thread(target=serve, args=(ready, port_box, stop), daemon=True)
    thread.start()
    if not ready.wait(30):
        print("Bail out! the server did not start")
        return 1
    base = "ws://127.0.0.1:%d/" % port_box[0]

    # Protobuf: fields by their .proto names; count 0 is not on the wire.
    status, out, err = run("connect", base + "protobuf", "--decode", "protobuf", "--proto-descriptor", DESCRIPTOR,
                           "--proto-type", "sonde.test.Ticker", "--extract", "$.price", "--where", "$.count >= 2",
                           "--timeout", "20")
    prices = [json.loads(line)["values"]["$.price"] for line in out.splitlines() if line]
    ok(status == 0 and prices == [102.25, 103.25, 104.25], "protobuf with a descriptor set: the prices",
       "status %d, %r, %s" % (status, prices, err))
    status, out, err = run("connect", base + "protobuf", "--decode", "protobuf", "--proto-descriptor", DESCRIPTOR,
                           "--proto-type", "sonde.test.Nope")
    ok(status == 2 and "Nope" in err, "protobuf: an unknown type is exit 2", err)

    chains = {"gzip": "gzip", "zlib": "zlib", "msgpack": "msgpack", "cbor": "cbor",
              "gzip-msgpack": "gzip,msgpack"}
    for mode, chain in chains.items():
        for spec in (chain, "auto"):
            status, out, err = run("connect", base + mode, "--decode", spec, "--extract", "$.price",
                                   "--where", "$.seq >= 2", "--timeout", "20")
            prices = [json.loads(line)["values"]["$.price"] for line in out.splitlines() if line]
            ok(status == 0 and prices == [102.25, 103.25, 104.25],
               "%s with --decode %s: the prices of the ticks with seq >= 2" % (mode, spec),
               "status %d, %r, %s" % (status, prices, err))

        status, out, err = run("connect", base + mode, "--decode", chain, "--timeout", "20")
        records = [json.loads(line) for line in out.splitlines() if line]
        received = [r for r in records if r.get("dir") == "in" and r["kind"] in ("text", "binary")]
        decoded = [r.get("decoded") for r in received[:5]]
        ok(status == 0 and decoded == TICKS, "%s: each line carries the decoded view" % mode,
           "status %d, %r" % (status, decoded))
        last = received[-1] if received else {}
        ok("decoded" not in last and "could not decode as" in last.get("decode_error", "")
           and " at byte " in last.get("decode_error", ""),
           "%s: a payload that does not decode says why and where" % mode, json.dumps(last))
        check = subprocess.run([sys.executable, CHECK, SCHEMA, "-"], input=out.encode(), capture_output=True)
        ok(check.returncode == 0, "%s: the lines validate against the schema" % mode,
           check.stdout.decode() + check.stderr.decode())

    # A recorded MessagePack session, searched and exported through the decoder.
    db = os.path.join(TMP, "rec.sqlite3")
    status, out, err = run("record", base + "gzip-msgpack", "--output", db, "--timeout", "20")
    ok(status == 0, "gzip-msgpack: recorded", "status %d, %s" % (status, err))
    status, out, err = run("history", "search", "--db", db, "--decode", "gzip,msgpack", "--where", "$.seq >= 3")
    hits = [json.loads(line) for line in out.splitlines() if line]
    ok(status == 0 and len(hits) == 2, "history search --where reads the decoded view: 2 hits",
       "status %d, %r, %s" % (status, hits, err))
    ok(len(hits) == 2 and '"seq":3' in hits[-1]["preview"] + hits[0]["preview"],
       "history search: the previews are the decoded views", repr(hits))
    status, out, err = run("history", "search", "--db", db, "--where", "$.seq >= 3")
    ok(status == 0 and out.strip() == "", "without --decode the predicate finds nothing in binary",
       "status %d, %r" % (status, out))
    status, out, err = run("history", "export", "1", "--db", db, "--decode", "gzip,msgpack")
    received = [json.loads(line) for line in out.splitlines() if line]
    received = [r for r in received if r.get("dir") == "in" and r["kind"] == "binary"]
    ok(status == 0 and [r.get("decoded") for r in received[:5]] == TICKS
       and "could not decode as" in received[-1].get("decode_error", ""),
       "history export --decode: each line carries \"decoded\" (or \"decode_error\")",
       "status %d, %r, %s" % (status, received[:2], err))
    status, out, err = run("history", "export", "1", "--db", db, "--decode", "gzip,msgpack", "--format", "csv",
                           "--column", "$.price")
    rows = list(csv.reader(io.StringIO(out)))
    header = rows[0] if rows else []
    prices = [r[header.index("$.price")] for r in rows[1:] if "$.price" in header and r[header.index("$.price")]]
    ok(status == 0 and "decoded" in header and "decode_error" in header
       and prices == ["100.25", "101.25", "102.25", "103.25", "104.25"],
       "history export --format csv --decode: decoded columns, and --column reads the view",
       "status %d, %r, %r, %s" % (status, header, prices, err))
    status, out, err = run("history", "export", "1", "--db", db, "--decode", "gzip,bogus")
    ok(status == 2 and "--decode:" in err, "history export with a bad chain: exit 2", err)

    # A profile's chain is the default, --decode overrides it, "none" turns it off.
    profiles = os.path.join(TMP, "profiles.json")
    with open(profiles, "w") as f:
        json.dump({"schema": 1, "profiles": [{"id": "66666666-6666-4666-8666-666666666666", "name": "Packed",
                                              "url": base + "msgpack", "decode": {"chain": "msgpack"}},
                                             {"id": "77777777-7777-4777-8777-777777777777", "name": "Broken",
                                              "url": base + "msgpack", "decode": {"chain": "msgpack,gzip"}}]}, f)
    status, out, err = run("connect", "--profile", "Packed", "--profiles", profiles, "--extract", "$.price",
                           "--where", "$.seq >= 2", "--timeout", "20")
    prices = [json.loads(line)["values"]["$.price"] for line in out.splitlines() if line]
    ok(status == 0 and prices == [102.25, 103.25, 104.25], "connect --profile: the profile's decoder chain",
       "status %d, %r, %s" % (status, prices, err))
    status, out, err = run("connect", "--profile", "Packed", "--profiles", profiles, "--decode", "none",
                           "--extract", "$.price", "--timeout", "20")
    values = [json.loads(line)["values"]["$.price"] for line in out.splitlines() if line]
    ok(status == 0 and len(values) == 6 and set(values) == {None},
       "connect --profile --decode none: nothing decoded, no price read", "status %d, %r, %s" % (status, out, err))
    status, out, err = run("connect", "--profile", "Broken", "--profiles", profiles, "--timeout", "20")
    ok(status == 2 and "Broken" in err and "comes after" in err, "a profile with a bad chain: exit 2, says which",
       "status %d, %s" % (status, err))

    status, out, err = run("connect", base + "gzip", "--decode", "msgpack,gzip")
    ok(status == 2 and "--decode:" in err and "comes after" in err, "a chain in the wrong order: exit 2", err)
    status, out, err = run("connect", base + "gzip", "--proto-type", "feed.Tick")
    ok(status == 2 and "--decode protobuf" in err, "--proto-type without --decode: exit 2", err)

    stop.set()
    thread.join(10)
    shutil.rmtree(TMP, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
