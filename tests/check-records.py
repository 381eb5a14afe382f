#!/usr/bin/env python3
# check-records.py: validates JSON Lines records against docs/record.schema.json
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   check-records.py SCHEMA FILE...   every line of each FILE ("-": stdin);
#                                     exit 1 naming each line that fails
#   check-records.py SCHEMA --serve   for tests: reads batches from stdin,
#                                     "N\n" then N lines; answers one line,
#                                     "ok" or "fail " + a JSON string saying
#                                     what failed; until end of input
#
# Needs python3-jsonschema (Debian 12: 4.10, draft 2020-12).

import json
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("check-records.py: python3-jsonschema is not installed (apt install python3-jsonschema)")


def load_validator(path):
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems(validator, lines, name):
    """What is wrong with @lines, one string per problem."""
    found = []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except ValueError as error:
            found.append(f"{name}:{number}: not JSON ({error}): {line[:200]}")
            continue
        for error in sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(record)"
            found.append(f"{name}:{number}: {where}: {error.message}: {line[:200]}")
    return found


def serve(validator):
    stdin = sys.stdin
    while True:
        header = stdin.readline()
        if not header:
            return 0
        count = int(header)
        lines = [stdin.readline().rstrip("\n") for _ in range(count)]
        found = problems(validator, lines, "stdout")
        if found:
            print("fail " + json.dumps("\n".join(found)), flush=True)
        else:
            print("ok", flush=True)


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: check-records.py SCHEMA FILE... | --serve")
    validator = load_validator(argv[1])
    if argv[2] == "--serve":
        return serve(validator)
    found = []
    for name in argv[2:]:
        if name == "-":
            lines = sys.stdin.read().splitlines()
        else:
            with open(name, encoding="utf-8") as f:
                lines = f.read().splitlines()
        found += problems(validator, lines, name)
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
