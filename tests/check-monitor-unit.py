#!/usr/bin/python3
# check-monitor-unit.py: data/sonde-monitor@.service, as meson writes it,
# passes `systemd-analyze verify` for an instance (its ExecStart names the
# built sonde-cli, which must exist), and its ExecStart is a command line
# sonde-cli monitor accepts.
#
#   check-monitor-unit.py UNIT SONDE-CLI
#
# SPDX-License-Identifier: GPL-3.0-or-later
import os
import re
import shutil
import subprocess
import sys
import tempfile

unit, cli = sys.argv[1], sys.argv[2]
n = 0
failed = False


def ok(cond, name, detail=""):
    global n, failed
    n += 1
    print(("ok %d %s" if cond else "not ok %d %s " + detail[:2000]) % (n, name))
    failed |= not cond


with open(unit) as f:
    text = f.read()
exec_start = re.search(r"^ExecStart=(\S+) (.*)$", text, re.M)
ok(exec_start is not None and exec_start.group(1).endswith("/sonde-cli") and
   exec_start.group(2).startswith("monitor "), "ExecStart runs sonde-cli monitor", text)
reload_line = re.search(r"^ExecReload=.*-HUP \$MAINPID$", text, re.M)
ok(reload_line is not None, "reload is SIGHUP")

# Its options are the monitor's: --help lists each one it uses.
help_text = subprocess.run([cli, "monitor", "--help"], capture_output=True, text=True).stdout
used = re.findall(r"(--[a-z-]+)", exec_start.group(2) if exec_start else "")
ok(used and all(option in help_text for option in used), "its options are sonde-cli monitor's", repr(used))

analyze = shutil.which("systemd-analyze")
if analyze is None:
    print("ok %d systemd-analyze verify # SKIP systemd-analyze is not installed" % (n + 1))
    n += 1
else:
    with tempfile.TemporaryDirectory() as directory:
        instance = os.path.join(directory, "sonde-monitor@feeds.service")
        # The unit as installed, but running the built sonde-cli.
        with open(instance, "w") as f:
            f.write(re.sub(r"^ExecStart=\S+", "ExecStart=" + os.path.abspath(cli), text, flags=re.M))
        done = subprocess.run([analyze, "verify", instance], capture_output=True, text=True)
        ok(done.returncode == 0 and not done.stderr.strip(), "systemd-analyze verify: clean",
           done.stdout + done.stderr)
print("1..%d" % n)
sys.exit(1 if failed else 0)
