# sonde_test_cli.py: what the Python tests of sonde-cli share: TAP output,
# running sonde-cli, and a Node peer from tests/servers that stops when
# the test is done with it
#
# SPDX-License-Identifier: GPL-3.0-or-later
import ctypes
import os
import signal
import subprocess
import sys

CLI = os.environ.get("SONDE_CLI")
SERVERS = os.environ.get("SONDE_TEST_SERVERS",
                         os.path.join(os.path.dirname(os.path.abspath(__file__)), "servers"))

_n = 0
_failures = []


def ok(cond, name, detail=""):
    """One TAP line: "ok N name", or "not ok N name detail" (cut at 2000
    characters), remembered as a failure."""
    global _n
    _n += 1
    if cond:
        print("ok %d %s" % (_n, name))
    else:
        print("not ok %d %s %s" % (_n, name, detail[:2000]))
        _failures.append(name)
    sys.stdout.flush()


def finish():
    """Prints the plan; the exit status: 1 if a check failed."""
    print("1..%d" % _n)
    return 1 if _failures else 0


def run(*args, timeout=60, env=None):
    """sonde-cli with @args: its exit status, stdout and stderr (text)."""
    proc = subprocess.run([CLI] + list(args), capture_output=True, env=env, timeout=timeout)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode("utf-8", "replace")


def die_with_parent():
    """For Popen(preexec_fn=...): the kernel sends the child SIGTERM when
    the test dies (a timeout's kill, a crash), so that a long-running
    sonde-cli (monitor, serve, connect) never outlives it."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_node_peer(script, *args):
    """Starts tests/servers/@script on Node with @args; returns the process
    and the port it printed. Raises RuntimeError when it prints no port."""
    peer = subprocess.Popen(["node", os.path.join(SERVERS, script)] + list(args), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=SERVERS)
    line = peer.stdout.readline().decode()
    if not line.startswith("PORT "):
        stop_peer(peer)
        raise RuntimeError("%s did not start: %r" % (script, line))
    return peer, int(line.split()[1])


def stop_peer(peer):
    """Closes the peer's stdin (it stops then) and waits, killing it after
    10 s."""
    peer.stdin.close()
    try:
        peer.wait(10)
    except subprocess.TimeoutExpired:
        peer.kill()
        peer.wait()
