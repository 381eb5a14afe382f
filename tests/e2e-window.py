#!/usr/bin/python3
# e2e-window.py: the real `sonde` binary, driven as a user would, over AT-SPI
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Starts a WebSocket echo server nobody here wrote (Python websockets, via
# tests/servers/ws_peer.py), starts `sonde`, and through the accessibility
# bus types the server's URL into "Server URL", presses "Connect", types
# into "Message", presses "Send", and waits for the echo to appear in the
# "Message log" table. Every wait has a deadline; every process it starts is
# stopped at the end. Run with /usr/bin/python3 (pyatspi is Debian's
# python3-pyatspi), inside a D-Bus session with a display: build-aux/dev test
# does both.
#
# Prints TAP. Exit status 0 when every step passed, 1 otherwise, 77 (skip)
# without a display.

import ctypes
import os
import signal
import subprocess
import sys
import time

# G_DEBUG=fatal-warnings is for the application under test, not for this
# script: pyatspi's own GLib warns about the accessibility cache at start.
APP_G_DEBUG = os.environ.pop("G_DEBUG", None)

DEADLINE_S = 20

steps = []


def tap(ok, name, detail=""):
    steps.append(ok)
    print("%s %d - %s%s" % ("ok" if ok else "not ok", len(steps), name,
                            (" # " + detail) if detail else ""), flush=True)
    return ok


def wait_for(what, condition, deadline_s=DEADLINE_S):
    """Polls condition() until it returns a true value or the deadline
    passes; returns that value (or None). AT-SPI answers synchronously over
    D-Bus; there is no event to block on for 'a row with this text exists'."""
    end = time.monotonic() + deadline_s
    while True:
        try:
            value = condition()
        except Exception as error:  # the tree changes under us
            value = None
            print("# (retrying: %s)" % error, flush=True)
        if value:
            return value
        if time.monotonic() > end:
            print("# timed out after %g s waiting for %s" % (deadline_s, what), flush=True)
            return None
        time.sleep(0.05)


def die_with_parent():
    """Runs in each child: the kernel sends it SIGTERM if this script dies,
    so nothing outlives the test."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def main():
    if not os.environ.get("DISPLAY"):
        print("1..0 # SKIP no display")
        return 77

    sonde = os.environ["SONDE_BIN"]
    servers = os.environ["SONDE_TEST_SERVERS"]

    import pyatspi

    env = dict(os.environ)
    # The accessibility bridge must be on for this test.
    env.pop("NO_AT_BRIDGE", None)
    env.pop("GTK_A11Y", None)
    env["GSETTINGS_BACKEND"] = "memory"
    if APP_G_DEBUG:
        env["G_DEBUG"] = APP_G_DEBUG

    peer = subprocess.Popen([sys.executable, os.path.join(servers, "ws_peer.py"), "--lifetime", "60"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            preexec_fn=die_with_parent)
    app_process = None
    try:
        line = peer.stdout.readline().strip()
        if not tap(line.startswith("PORT "), "the Python websockets echo peer started", line):
            return 1
        url = "ws://127.0.0.1:%s/echo" % line.split()[1]

        app_process = subprocess.Popen([sonde], env=env, stdin=subprocess.DEVNULL,
                                       preexec_fn=die_with_parent)

        def find_app():
            desktop = pyatspi.Registry.getDesktop(0)
            for candidate in desktop:
                if candidate is not None and candidate.name == "sonde":
                    return candidate
            return None

        app = wait_for("the sonde application on the accessibility bus", find_app)
        if not tap(app is not None, "sonde is on the accessibility bus"):
            return 1

        def find(role, name, prefix=False):
            def predicate(node):
                if node is None or node.getRole() != role:
                    return False
                return node.name.startswith(name) if prefix else node.name == name
            return pyatspi.findDescendant(app, predicate)

        def find_all(role, name):
            return pyatspi.findAllDescendants(app, lambda n: n is not None and n.getRole() == role
                                              and n.name == name)

        entry = wait_for("the Server URL entry", lambda: find(pyatspi.ROLE_TEXT, "Server URL"))
        if not tap(entry is not None, "found the “Server URL” entry"):
            return 1

        # First launch streams the demo feed: the log is not empty.
        log = wait_for("the Message log table", lambda: find(pyatspi.ROLE_TREE_TABLE, "Message log")
                       or find(pyatspi.ROLE_TABLE, "Message log"))
        tap(log is not None, "found the “Message log” table")
        demo_rows = wait_for("demo ticks in the log",
                             lambda: [c for c in pyatspi.findAllDescendants(log, lambda n: n is not None and n.name.startswith('{"type":"tick"'))])
        tap(bool(demo_rows), "the demo feed is streaming on first launch")

        entry.queryEditableText().setTextContents(url)
        typed = entry.queryText()
        tap(typed.getText(0, typed.characterCount) == url, "typed the echo server's URL")

        connect = wait_for("the Connect button", lambda: find(pyatspi.ROLE_PUSH_BUTTON, "Connect"))
        if not tap(connect is not None, "the button says “Connect” for a new URL"):
            return 1
        connect.queryAction().doAction(0)

        disconnect = wait_for("the Disconnect button", lambda: find(pyatspi.ROLE_PUSH_BUTTON, "Disconnect"))
        if not tap(disconnect is not None, "connected: the button says “Disconnect”"):
            return 1

        opened = wait_for("the open event for the echo server",
                          lambda: find(pyatspi.ROLE_LABEL, "Connecting to " + url))
        tap(opened is not None, "the log shows the connection to the echo server")

        message = wait_for("the Message editor", lambda: find(pyatspi.ROLE_TEXT, "Message"))
        if not tap(message is not None, "found the “Message” editor"):
            return 1
        text = "hello from AT-SPI ✓"
        message.queryEditableText().setTextContents(text)

        send = wait_for("a sensitive Send button",
                        lambda: (lambda b: b if b is not None and b.getState().contains(pyatspi.STATE_SENSITIVE) else None)
                        (find(pyatspi.ROLE_PUSH_BUTTON, "Send")))
        if not tap(send is not None, "the “Send” button is enabled"):
            return 1
        send.queryAction().doAction(0)

        # The message goes out and comes back: two rows with its text.
        echoed = wait_for("the sent and the echoed message in the log",
                          lambda: len(pyatspi.findAllDescendants(log, lambda n: n is not None and n.name == text)) >= 2)
        tap(bool(echoed), "the message and its echo are in the “Message log”")

        disconnect.queryAction().doAction(0)
        closed = wait_for("the close event", lambda: find(pyatspi.ROLE_LABEL, "Closed 1000", prefix=True))
        tap(closed is not None, "Disconnect closes with 1000")
    finally:
        if app_process is not None:
            app_process.terminate()
            try:
                app_process.wait(10)
            except subprocess.TimeoutExpired:
                app_process.kill()
                app_process.wait()
        peer.stdin.close()
        try:
            peer.wait(10)
        except subprocess.TimeoutExpired:
            peer.kill()
            peer.wait()

    print("1..%d" % len(steps))
    return 0 if all(steps) else 1


if __name__ == "__main__":
    sys.exit(main())
