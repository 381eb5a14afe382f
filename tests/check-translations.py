#!/usr/bin/python3
# check-translations.py: every shipped translation is complete and well-formed
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# For each language in po/LINGUAS: its .po merged with the template that
# xgettext makes from po/POTFILES.in now (so a string added to the code and
# not yet translated counts as untranslated) must pass `msgfmt --check` and
# have no untranslated and no fuzzy message.
#
# Usage: check-translations.py SOURCE_ROOT. Needs xgettext, msgmerge and
# msgfmt (gettext). Prints TAP; exit status 0 or 1.

import os
import re
import subprocess
import sys
import tempfile

steps = []


def tap(ok, name, details=()):
    steps.append(ok)
    print("%s %d - %s" % ("ok" if ok else "not ok", len(steps), name))
    for detail in details:
        print("#   %s" % detail)
    return ok


def main():
    root = sys.argv[1]
    po = os.path.join(root, "po")
    with open(os.path.join(po, "LINGUAS"), encoding="utf-8") as f:
        languages = [word for line in f if not line.startswith("#") for word in line.split()]

    with tempfile.TemporaryDirectory(prefix="sonde-po-") as tmp:
        pot = os.path.join(tmp, "sonde.pot")
        # The same options as i18n.gettext(preset: 'glib') in po/meson.build.
        made = subprocess.run(["xgettext", "--package-name=sonde", "-p", tmp, "-o", "sonde.pot",
                               "-D", root, "-f", os.path.join(po, "POTFILES.in"),
                               "--from-code=UTF-8", "--add-comments", "--keyword=_", "--keyword=N_",
                               "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dcgettext:2",
                               "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
                               "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format",
                               "--flag=NC_:2:pass-c-format", "--flag=g_dngettext:2:pass-c-format",
                               "--flag=g_strdup_printf:1:c-format", "--flag=g_string_printf:2:c-format",
                               "--flag=g_string_append_printf:2:c-format", "--flag=g_error_new:3:c-format",
                               "--flag=g_set_error:4:c-format", "--flag=g_markup_printf_escaped:1:c-format",
                               "--flag=g_log:3:c-format", "--flag=g_print:1:c-format",
                               "--flag=g_printerr:1:c-format", "--flag=g_printf:1:c-format",
                               "--flag=g_fprintf:2:c-format", "--flag=g_sprintf:2:c-format",
                               "--flag=g_snprintf:3:c-format"],
                              capture_output=True, text=True)
        if not tap(made.returncode == 0, "xgettext makes the template from po/POTFILES.in",
                   made.stderr.splitlines()):
            print("1..%d" % len(steps))
            return 1

        for language in languages:
            merged = os.path.join(tmp, language + ".po")
            merge = subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged,
                                    os.path.join(po, language + ".po"), pot],
                                   capture_output=True, text=True)
            if not tap(merge.returncode == 0, "%s.po merges with the template" % language,
                       merge.stderr.splitlines()):
                continue
            check = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, merged],
                                   capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
            tap(check.returncode == 0, "%s.po passes msgfmt --check" % language, check.stderr.splitlines())
            stats = check.stderr.strip().splitlines()[-1] if check.stderr.strip() else ""
            fuzzy = re.search(r"(\d+) fuzzy", stats)
            untranslated = re.search(r"(\d+) untranslated", stats)
            tap(not fuzzy and not untranslated, "%s.po is complete: %s" % (language, stats))

            # Which ones, so that they are easy to find.
            if fuzzy or untranslated:
                listing = subprocess.run(["msgattrib", "--only-fuzzy", "--no-wrap", merged],
                                         capture_output=True, text=True).stdout
                listing += subprocess.run(["msgattrib", "--untranslated", "--no-wrap", merged],
                                          capture_output=True, text=True).stdout
                for line in listing.splitlines():
                    if line.startswith("msgid ") and line != 'msgid ""':
                        print("#   %s" % line)

    print("1..%d" % len(steps))
    return 0 if all(steps) else 1


if __name__ == "__main__":
    sys.exit(main())
