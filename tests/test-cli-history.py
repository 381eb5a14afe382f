#!/usr/bin/python3
# test-cli-history.py: `sonde-cli history list|search|export|import` end to
# end on databases made here by importing files (and the user's recordings
# folder in a temporary XDG_DATA_HOME)
#
# SPDX-License-Identifier: GPL-3.0-or-later

import base64
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

from sonde_test_cli import finish, ok

CLI = os.environ["SONDE_CLI"]

TEXT = '{"sym":"ABC","price":101.5}'
BINARY = bytes([0, 1, 0, 255, 0])
START = "2026-05-28T20:26:40.000000Z"
START_US = 1780000000000000


def run(*args, env=None):
    proc = subprocess.run([CLI] + list(args), capture_output=True, env=env, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")


def lines(out):
    return [json.loads(line) for line in out.decode().splitlines() if line]


def jsonl_file(path):
    records = [
        {"time": START, "dir": "event", "kind": "connecting", "url": "ws://127.0.0.1:9/feed"},
        {"time": "2026-05-28T20:26:40.500000Z", "dir": "out", "kind": "text", "size": 3, "text": "sub"},
        {"time": "2026-05-28T20:26:41.000000Z", "dir": "in", "kind": "binary", "size": len(BINARY),
         "base64": base64.b64encode(BINARY).decode()},
        {"time": "2026-05-28T20:26:42.000000Z", "dir": "in", "kind": "text", "size": 0, "text": ""},
        {"time": "2026-05-28T20:26:43.000000Z", "dir": "in", "kind": "text", "size": len(TEXT), "text": TEXT},
    ]
    with open(path, "w") as f:
        for r in records:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


def har_file(path, entries):
    har = {"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": []}}
    for url, messages in entries:
        har["log"]["entries"].append({
            "startedDateTime": START, "_resourceType": "websocket",
            "request": {"method": "GET", "url": url}, "response": {"status": 101},
            "_webSocketMessages": messages})
    with open(path, "w") as f:
        json.dump(har, f)


def main():
    tmp = tempfile.mkdtemp(prefix="sonde-cli-history-")
    env = dict(os.environ, HOME=tmp, XDG_DATA_HOME=os.path.join(tmp, "data"),
               XDG_CONFIG_HOME=os.path.join(tmp, "config"), LANG="C", LANGUAGE="C")
    db = os.path.join(tmp, "one.sqlite")
    jl = os.path.join(tmp, "session.jsonl")
    har = os.path.join(tmp, "two.har")
    jsonl_file(jl)
    har_file(har, [
        ("wss://a.test/one", [{"type": "send", "time": 1780000010.25, "opcode": 1, "data": "hello ABC"}]),
        ("wss://a.test/two", [{"type": "receive", "time": 1780000020, "opcode": 2, "data": "AAEA"}]),
    ])

    # import
    status, out, err = run("history", "import", jl, "--db", db, env=env)
    ok(status == 0 and lines(out) == [{"id": 1}], "import jsonl prints the new id", err)
    status, out, err = run("history", "import", har, "--db", db, env=env)
    ok(status == 0 and lines(out) == [{"id": 2}, {"id": 3}], "import har: one id per WebSocket entry", err)

    # list
    status, out, err = run("history", "list", "--db", db, env=env)
    sessions = lines(out)
    ok(status == 0 and [s["id"] for s in sessions] == [1, 2, 3], "list: every session", err)
    first = sessions[0]
    ok(first["url"] == "ws://127.0.0.1:9/feed" and first["start"] == START and first["start_us"] == START_US
       and first["end"] == "2026-05-28T20:26:43.000000Z" and first["end_us"] == START_US + 3000000
       and first["duration"] == 3 and first["duration_us"] == 3000000 and first["messages"] == 4 and first["records"] == 5
       and first["bytes"] >= 3 + len(BINARY) + len(TEXT), "list: url, start, end, duration, messages, bytes",
       json.dumps(first))
    ok(first["profile"] is None and "db" not in first and "close_code" in first and "closed_by" in first,
       "list: profile null for an ad-hoc URL, no db with --db", json.dumps(first))

    # export jsonl to stdout
    status, out, err = run("history", "export", "1", "--db", db, "--format", "jsonl", env=env)
    records = lines(out)
    ok(status == 0 and len(records) == 5, "export jsonl: every record", err)
    messages = [r for r in records if r["dir"] != "event"]
    ok([m["dir"] for m in messages] == ["out", "in", "in", "in"]
       and base64.b64decode(messages[1]["base64"]) == BINARY and messages[2]["text"] == ""
       and messages[3]["text"] == TEXT, "export jsonl: payloads and directions", out.decode())

    # export har to a file
    har_out = os.path.join(tmp, "out.har")
    status, out, err = run("history", "export", "1", "--db", db, "--format", "har", "--output", har_out, env=env)
    with open(har_out) as f:
        doc = json.load(f)
    entry = doc["log"]["entries"][0]
    ws = entry["_webSocketMessages"]
    ok(status == 0 and out == b"" and entry["request"]["url"] == "ws://127.0.0.1:9/feed" and len(ws) == 4,
       "export har --output", err)
    ok(ws[0] == {"type": "send", "time": 1780000000.5, "opcode": 1, "data": "sub"}
       and ws[1]["opcode"] == 2 and base64.b64decode(ws[1]["data"]) == BINARY and ws[1]["type"] == "receive",
       "export har: type, time, opcode, data (binary base64)", json.dumps(ws))
    ok(oct(os.stat(har_out).st_mode & 0o777) == "0o600" and
       not [n for n in os.listdir(tmp) if n.startswith(".")], "export --output: private, no temporary file left")

    # export csv with a column, and a time range
    status, out, err = run("history", "export", "1", "--db", db, "--format", "csv", "--column", "$.price",
                           "--from", "2026-05-28T20:26:41Z", "--to", str(START_US + 3000000), env=env)
    rows = list(csv.reader(io.StringIO(out.decode(), newline="")))
    ok(status == 0 and rows[0][-1] == "$.price" and len(rows) == 4 and rows[1][1] == "in"
       and rows[3][-1] == "101.5", "export csv: range and column", out.decode())

    # search
    status, out, err = run("history", "search", "abc", "--db", db, env=env)
    hits = lines(out)
    ok(status == 0 and sorted(h["session"] for h in hits) == [1, 2], "search text: across sessions", out.decode())
    ok(all(set(h) >= {"session", "seq", "time", "dir", "kind", "size", "preview"} for h in hits),
       "search: the fields of a hit", out.decode())
    status, out, err = run("history", "search", "--where", '$.price > 100', "--db", db, env=env)
    hits = lines(out)
    ok(status == 0 and len(hits) == 1 and hits[0]["session"] == 1 and hits[0]["seq"] == 4
       and hits[0]["preview"] == TEXT, "search --where", out.decode())
    status, out, err = run("history", "search", "--regex", "^hel+o", "--db", db, "--session", "2", env=env)
    ok(status == 0 and [h["session"] for h in lines(out)] == [2], "search --regex --session", out.decode())
    status, out, err = run("history", "search", "a", "--db", db, "--limit", "1", env=env)
    ok(status == 0 and len(lines(out)) == 1, "search --limit", out.decode())
    status, out, err = run("history", "search", "--regex", "(", "--db", db, env=env)
    ok(status == 2 and "--regex" in err, "search: a bad regular expression is a usage error", err)

    # errors
    before = os.path.join(tmp, "kept.csv")
    with open(before, "w") as f:
        f.write("keep")
    status, out, err = run("history", "export", "9", "--db", db, "--output", before, env=env)
    ok(status == 1 and "no session 9" in err and open(before).read() == "keep",
       "export of an unknown session: exit 1, says so, leaves the file", err)
    missing = os.path.join(tmp, "missing.sqlite")
    for sub in (["list"], ["export", "1"], ["search", "x"]):
        status, out, err = run("history", *sub, "--db", missing, env=env)
        ok(status == 1 and "no recordings database" in err and missing in err and not os.path.exists(missing),
           "a missing database: " + sub[0], err)
    status, out, err = run("history", "export", "one", "--db", db, env=env)
    ok(status == 2 and "not a session id" in err, "export: a bad id is a usage error", err)
    status, out, err = run("history", "export", "1", "--format", "xml", "--db", db, env=env)
    ok(status == 2 and "jsonl" in err and "har" in err, "export: an unknown format names the formats", err)
    status, out, err = run("history", "bogus", env=env)
    ok(status == 2 and "bogus" in err, "an unknown subcommand", err)
    not_db = os.path.join(tmp, "not-a-db.sqlite")
    with open(not_db, "wb") as f:
        f.write(b"this is not sqlite" * 100)
    status, out, err = run("history", "list", "--db", not_db, env=env)
    ok(status == 1 and err != "", "a file that is not a database", err)

    bad = os.path.join(tmp, "bad.jsonl")
    with open(bad, "w") as f:
        f.write('{"time":"2026-05-28T20:26:40.000000Z","dir":"in","kind":"text","size":1,"text":"a"}\n{"time":')
    status, out, err = run("history", "import", bad, "--db", db, env=env)
    ok(status == 1 and out == b"" and "bad.jsonl" in err, "import of a broken file: exit 1", err)
    plain = os.path.join(tmp, "plain.har")
    with open(plain, "w") as f:
        json.dump({"log": {"version": "1.2", "entries": [{"request": {"url": "https://a.test/"}}]}}, f)
    status, out, err = run("history", "import", plain, "--db", db, env=env)
    ok(status == 1 and "WebSocket" in err, "import of a HAR without WebSocket traffic says so", err)
    status, out, err = run("history", "list", "--db", db, env=env)
    ok(len(lines(out)) == 3, "failed imports leave no session")

    # the user's folder: ad-hoc by default, a profile's database with --profile
    status, out, err = run("history", "import", jl, env=env)
    ok(status == 0 and lines(out) == [{"id": 1}], "import into the ad-hoc database", err)
    profiles = os.path.join(tmp, "profiles.json")
    with open(profiles, "w") as f:
        json.dump({"schema": 1, "profiles": [{"id": "55555555-5555-4555-8555-555555555555", "name": "Prices",
                                              "url": "ws://127.0.0.1:1/"}]}, f)
    status, out, err = run("history", "import", har, "--profile", "Prices", "--profiles", profiles, env=env)
    ok(status == 0 and len(lines(out)) == 2, "import into a profile's database", err)
    status, out, err = run("history", "list", env=env)
    listed = lines(out)
    ok(status == 0 and len(listed) == 3 and all("db" in s for s in listed), "list: every database, each line its db",
       out.decode())
    profiled = [s for s in listed if s["profile"] is not None]
    ok(len(profiled) == 2 and profiled[0]["profile"] == {"id": "55555555-5555-4555-8555-555555555555",
                                                           "name": "Prices"}, "list: the profile's id and name",
       out.decode())
    status, out, err = run("history", "export", str(profiled[0]["id"]), "--db", profiled[0]["db"], env=env)
    ok(status == 0 and len(lines(out)) == 1, "a listed db and id export with --db", err)
    status, out, err = run("history", "list", "--profile", "Prices", "--profiles", profiles, env=env)
    ok(status == 0 and len(lines(out)) == 2, "list --profile", err)
    status, out, err = run("history", "list", "--profile", "Nobody", "--profiles", profiles, env=env)
    ok(status == 2, "an unknown profile is a usage error", err)

    subprocess.run(["rm", "-rf", tmp])
    return finish()


if __name__ == "__main__":
    sys.exit(main())
