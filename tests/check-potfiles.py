#!/usr/bin/python3
# check-potfiles.py: po/POTFILES.in lists every file with translatable strings
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Fails when a file under src/, ui/ or data/ that has translatable strings
# (_(), N_(), C_(), NC_(), ngettext, g_dngettext, translatable="yes", or a
# .desktop.in, .metainfo.xml.in or .gschema.xml.in, translatable by their
# format) is missing from po/POTFILES.in, when POTFILES.in names a file that
# does not exist or has nothing to translate, or when it is not sorted.
#
# Usage: check-potfiles.py SOURCE_ROOT. Prints TAP; exit status 0 or 1.

import os
import re
import sys

MARKERS = re.compile(r'(?<![A-Za-z0-9_])(_|N_|C_|NC_|ngettext|g_dngettext|g_dgettext)\s*\(|translatable="yes"')
FORMATS = (".desktop.in", ".metainfo.xml.in", ".gschema.xml.in")
SOURCES = (".c", ".h", ".ui", ".in")
DIRS = ("src", "ui", "data")

steps = []


def tap(ok, name, details=()):
    steps.append(ok)
    print("%s %d - %s" % ("ok" if ok else "not ok", len(steps), name))
    for detail in details:
        print("#   %s" % detail)
    return ok


def translatable(root, path):
    if path.endswith(FORMATS):
        return True
    if not path.endswith(SOURCES):
        return False
    with open(os.path.join(root, path), encoding="utf-8") as f:
        return MARKERS.search(f.read()) is not None


def main():
    root = sys.argv[1]
    with open(os.path.join(root, "po", "POTFILES.in"), encoding="utf-8") as f:
        listed = [line.strip() for line in f if line.strip() and not line.startswith("#")]

    found = []
    for top in DIRS:
        for directory, _subdirs, files in os.walk(os.path.join(root, top)):
            for name in files:
                path = os.path.relpath(os.path.join(directory, name), root)
                if translatable(root, path):
                    found.append(path)

    missing = sorted(set(found) - set(listed))
    tap(not missing, "every file with translatable strings is in po/POTFILES.in",
        ["missing: %s" % path for path in missing])

    gone = [path for path in listed if not os.path.exists(os.path.join(root, path))]
    tap(not gone, "every file in po/POTFILES.in exists", ["no such file: %s" % path for path in gone])

    idle = [path for path in listed if path not in gone and not translatable(root, path)]
    tap(not idle, "every file in po/POTFILES.in has translatable strings",
        ["nothing to translate: %s" % path for path in idle])

    tap(listed == sorted(listed) and len(listed) == len(set(listed)), "po/POTFILES.in is sorted, without repeats",
        ["first out of order: %s" % next(b for a, b in zip(listed, listed[1:]) if a >= b)]
        if listed != sorted(listed) or len(listed) != len(set(listed)) else [])

    print("1..%d" % len(steps))
    return 0 if all(steps) else 1


if __name__ == "__main__":
    sys.exit(main())
