#!/usr/bin/python3
# e2e-a11y.py: every control of the real `sonde` has a name, and the
# keyboard reaches what the mouse does
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Starts `sonde` (on the demo feed, with a private HOME) and walks its whole
# accessibility tree over AT-SPI: the main window, the main menu, the profile
# editor (opened by the “New Profile” button, then by Ctrl+N), the sidebar
# once a profile exists, the preferences and the keyboard shortcuts. Every
# push button, toggle button, check box, radio button, switch, entry, text,
# combo box, spin button and menu item must have an accessible name: the
# test lists each one that has none, with its path, and fails. Along the
# way it checks the keyboard: Escape closes the profile editor, the
# preferences and the shortcuts window, the editor's buttons have mnemonics
# (Alt+C cancels), and Ctrl+S saves.
#
# Run with /usr/bin/python3 (pyatspi is Debian's python3-pyatspi), inside a
# D-Bus session with a display: build-aux/dev test does both. Keys are sent
# through the AT-SPI registry (XTest under Xvfb). Every wait has a deadline;
# every process it starts dies with it.
#
# Prints TAP. Exit status 0 when every step passed, 1 otherwise, 77 (skip)
# without a display.

import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# G_DEBUG=fatal-warnings is for the application under test, not for this
# script: pyatspi's own GLib warns about the accessibility cache at start.
APP_G_DEBUG = os.environ.pop("G_DEBUG", None)

DEADLINE_S = 20

# GTK 4.8 names an object that has no accessible name after its type.
GTYPE_NAME = re.compile(r"^(Gtk|Adw|GtkSource|Sonde)[A-Z][A-Za-z]*$")

# Parts of libadwaita 1.2 that it leaves unnamed and we cannot reach: the
# close button of a tab (AdwTab) and of a toast (AdwToastWidget), and the
# hidden search entry and view switchers of AdwPreferencesWindow (search is
# off, and there is one page).
LIBRARY_PARTS = {"AdwTab", "AdwToastWidget", "AdwViewSwitcherTitle", "AdwViewSwitcherBar"}
LIBRARY_CONTROLS = {("entry", "GtkSearchEntry", "Preferences")}

steps = []


def tap(ok, name, detail=""):
    steps.append(ok)
    print("%s %d - %s%s" % ("ok" if ok else "not ok", len(steps), name,
                            (" # " + detail) if detail else ""), flush=True)
    return ok


def wait_for(what, condition, deadline_s=DEADLINE_S):
    """Polls condition() until it returns a true value or the deadline
    passes; returns that value (or None)."""
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
    """Runs in each child: the kernel sends it SIGTERM if this script dies."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def main():
    if not os.environ.get("DISPLAY"):
        print("1..0 # SKIP no display")
        return 77

    import pyatspi

    # The controls that a user operates, which a screen reader must name.
    controls = {
        pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX,
        pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_TEXT, pyatspi.ROLE_PASSWORD_TEXT,
        pyatspi.ROLE_ENTRY, pyatspi.ROLE_COMBO_BOX, pyatspi.ROLE_SPIN_BUTTON,
        pyatspi.ROLE_SLIDER, pyatspi.ROLE_MENU_ITEM, pyatspi.ROLE_CHECK_MENU_ITEM,
        pyatspi.ROLE_RADIO_MENU_ITEM,
    }
    for extra in ("ROLE_SWITCH", "ROLE_SEARCH"):  # newer pyatspi only
        if hasattr(pyatspi, extra):
            controls.add(getattr(pyatspi, extra))

    home = tempfile.mkdtemp(prefix="sonde-a11y-")
    env = dict(os.environ)
    env.pop("NO_AT_BRIDGE", None)
    env.pop("GTK_A11Y", None)
    env["GSETTINGS_BACKEND"] = "memory"
    env["HOME"] = home
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[name] = os.path.join(home, name.lower())
    if APP_G_DEBUG:
        env["G_DEBUG"] = APP_G_DEBUG

    app_process = None
    try:
        app_process = subprocess.Popen([os.environ["SONDE_BIN"]], env=env, stdin=subprocess.DEVNULL,
                                       preexec_fn=die_with_parent)

        def find_app():
            for candidate in pyatspi.Registry.getDesktop(0):
                if candidate is not None and candidate.name == "sonde":
                    return candidate
            return None

        app = wait_for("the sonde application on the accessibility bus", find_app)
        if not tap(app is not None, "sonde is on the accessibility bus"):
            return 1

        def find(role, name, root=None, prefix=False):
            def predicate(node):
                if node is None or node.getRole() != role:
                    return False
                return node.name.startswith(name) if prefix else node.name == name
            return pyatspi.findDescendant(root or app, predicate)

        def clickable(role, name, root=None):
            """The node of that role and name that has an action (a menu
            button is two nodes of the same name: only the inner one acts)."""
            for node in pyatspi.findAllDescendants(root or app, lambda n: n is not None and n.getRole() == role
                                                   and n.name == name):
                try:
                    if node.queryAction().nActions > 0:
                        return node
                except NotImplementedError:
                    pass
            return None

        def windows():
            return [w for w in app if w is not None]

        def window_named(name):
            return next((w for w in windows() if w.name == name), None)

        def path_of(node):
            parts = []
            while node is not None and node.getRole() != pyatspi.ROLE_APPLICATION:
                parts.append("%s%s" % (node.getRoleName(), " “%s”" % node.name if node.name else ""))
                node = node.parent
            return " < ".join(parts)

        def name_problem(node):
            """What is wrong with the node's accessible name, or None."""
            name = (node.name or "").strip()
            if not name or GTYPE_NAME.match(name):
                return "no name"
            if re.search(r"(^|\s)_\w", name):
                return "a mnemonic underscore in its name"
            words = name.split()
            half = len(words) // 2
            if half and len(words) % 2 == 0 and words[:half] == words[half:]:
                return "its name twice"
            return None

        def library_part(node, window):
            if (node.getRoleName(), node.name, window.name) in LIBRARY_CONTROLS:
                return True
            parent = node.parent
            while parent is not None and parent.getRole() != pyatspi.ROLE_APPLICATION:
                if parent.name in LIBRARY_PARTS:
                    return True
                parent = parent.parent
            return False

        def check_names(root, what):
            problems = []
            checked = 0
            for node in pyatspi.findAllDescendants(root, lambda n: n is not None and n.getRole() in controls):
                checked += 1
                problem = name_problem(node)
                if problem is not None and not library_part(node, root):
                    problems.append("%s: %s" % (problem, path_of(node)))
            for problem in problems:
                print("#   %s" % problem, flush=True)
            return tap(checked > 0 and not problems, "every control in %s has a name, said once" % what,
                       "%d controls, %d problems" % (checked, len(problems)))

        # X keycodes of the modifiers (Xvfb's default keymap); letters and
        # others go by keysym.
        CONTROL, SHIFT, ALT = 37, 50, 64

        def press_sym(name, *modifiers):
            import gi
            gi.require_version("Gdk", "4.0")
            from gi.repository import Gdk
            keysym = Gdk.keyval_from_name(name)
            for modifier in modifiers:
                pyatspi.Registry.generateKeyboardEvent(modifier, None, pyatspi.KEY_PRESS)
            pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)
            for modifier in reversed(modifiers):
                pyatspi.Registry.generateKeyboardEvent(modifier, None, pyatspi.KEY_RELEASE)

        def press_until(keys, what, done, attempts=3):
            """Presses @keys (a keysym name and modifiers) until done() holds.
            Without a window manager, X gives the keyboard focus back a moment
            after a window closes: a press in between is lost, so it is
            pressed again, at most @attempts times."""
            for attempt in range(attempts):
                press_sym(*keys)
                value = wait_for(what, done, deadline_s=DEADLINE_S / attempts)
                if value:
                    return value
                print("# (pressing %s again)" % "+".join(str(k) for k in reversed(keys)), flush=True)
            return None

        def closed(name):
            return lambda: window_named(name) is None

        # The main window, streaming the demo feed.
        main_window = wait_for("the main window", lambda: window_named("Sonde"))
        if not tap(main_window is not None, "the main window is on the bus"):
            return 1
        log = wait_for("the demo feed in the log", lambda: find(pyatspi.ROLE_TREE_TABLE, "Message log")
                       or find(pyatspi.ROLE_TABLE, "Message log"))
        rows = wait_for("demo ticks in the log",
                        lambda: pyatspi.findAllDescendants(log, lambda n: n is not None
                                                           and n.name.startswith('{"type":"tick"')))
        tap(bool(rows), "the demo feed streams in the log")
        check_names(main_window, "the main window")

        # The main menu; choosing an item closes it: the keyboard shortcuts.
        menu_button = wait_for("the Main Menu button", lambda: clickable(pyatspi.ROLE_PUSH_BUTTON, "Main Menu"))
        if tap(menu_button is not None, "found the “Main Menu” button"):
            menu_button.queryAction().doAction(0)
            items = wait_for("the main menu's items",
                             lambda: pyatspi.findAllDescendants(app, lambda n: n is not None
                                                                and n.getRole() == pyatspi.ROLE_MENU_ITEM))
            tap(bool(items), "the main menu opens", "%d items" % len(items or []))
            for item in items or []:
                if name_problem(item) is not None:
                    print("#   %s: %s" % (name_problem(item), path_of(item)), flush=True)
            tap(all(name_problem(item) is None for item in items or []), "every main menu item has a name")
            shortcuts_item = next((item for item in items or [] if item.name == "Keyboard Shortcuts"), None)
            if tap(shortcuts_item is not None, "the main menu has “Keyboard Shortcuts”"):
                shortcuts_item.queryAction().doAction(0)
                shortcuts = wait_for("the shortcuts window", lambda: window_named("Keyboard Shortcuts"))
                # Its controls (search, sections) are GtkShortcutsWindow's own,
                # which GTK 4.8 leaves unnamed: only the window's name is ours.
                if tap(shortcuts is not None, "“Keyboard Shortcuts” opens the shortcuts window, named so"):
                    tap(press_until(("Escape",), "the shortcuts to close", closed("Keyboard Shortcuts")) is not None,
                        "Escape closes the keyboard shortcuts")

        # The profile editor, from the sidebar's “New Profile” button.
        new_profile = wait_for("the New Profile button", lambda: clickable(pyatspi.ROLE_PUSH_BUTTON, "New Profile"))
        if not tap(new_profile is not None, "found the “New Profile” button"):
            return 1
        new_profile.queryAction().doAction(0)
        editor = wait_for("the profile editor", lambda: window_named("New Profile"))
        if not tap(editor is not None, "“New Profile” opens the editor"):
            return 1
        check_names(editor, "the profile editor")
        for label in ("Cancel", "Save"):
            tap(clickable(pyatspi.ROLE_PUSH_BUTTON, label, editor) is not None,
                "the editor has a “%s” button" % label)
        tap(press_until(("Escape",), "the editor to close", closed("New Profile")) is not None,
            "Escape closes the profile editor")

        # Ctrl+N opens it again; Alt+C (the mnemonic of _Cancel) closes it.
        editor = press_until(("n", CONTROL), "the editor (Ctrl+N)", lambda: window_named("New Profile"))
        if tap(editor is not None, "Ctrl+N opens the profile editor"):
            tap(press_until(("c", ALT), "the editor to close", closed("New Profile")) is not None,
                "Alt+C (the “_Cancel” mnemonic) closes the editor")

        # A profile, typed in and saved with Ctrl+S, so the sidebar has a row.
        editor = press_until(("n", CONTROL), "the editor (Ctrl+N)", lambda: window_named("New Profile"))
        if tap(editor is not None, "Ctrl+N opens the profile editor again"):
            name = wait_for("the Name field", lambda: find(pyatspi.ROLE_TEXT, "Name", editor, prefix=True))
            url = wait_for("the Server URL field", lambda: find(pyatspi.ROLE_TEXT, "Server URL", editor, prefix=True))
            if tap(name is not None and url is not None, "found the Name and Server URL fields"):
                name.queryEditableText().setTextContents("Echo")
                url.queryEditableText().setTextContents("ws://127.0.0.1:9/echo")
                save = wait_for("a sensitive Save button",
                                lambda: (lambda b: b if b is not None and b.getState().contains(pyatspi.STATE_SENSITIVE)
                                         else None)(clickable(pyatspi.ROLE_PUSH_BUTTON, "Save", editor)))
                tap(save is not None, "Save is enabled once the profile has a name and a URL")
                tap(press_until(("s", CONTROL), "the editor to close", closed("New Profile")) is not None,
                    "Ctrl+S saves and closes the editor")
        actions = wait_for("the profile's menu in the sidebar",
                           lambda: clickable(pyatspi.ROLE_PUSH_BUTTON, "Profile actions"))
        tap(actions is not None, "the saved profile is in the sidebar, with its “Profile actions” menu")
        check_names(main_window, "the main window with a saved profile")

        # The preferences (Ctrl+,), closed by Escape.
        preferences = press_until(("comma", CONTROL), "the preferences", lambda: window_named("Preferences"))
        if tap(preferences is not None, "Ctrl+, opens the preferences"):
            check_names(preferences, "the preferences")
            tap(press_until(("Escape",), "the preferences to close", closed("Preferences")) is not None,
                "Escape closes the preferences")

        # The keyboard shortcuts from the keyboard: Ctrl+? (Ctrl+Shift+/).
        shortcuts = press_until(("slash", CONTROL, SHIFT), "the shortcuts window",
                                lambda: window_named("Keyboard Shortcuts"))
        if tap(shortcuts is not None, "Ctrl+? opens the keyboard shortcuts"):
            tap(press_until(("Escape",), "the shortcuts to close", closed("Keyboard Shortcuts")) is not None,
                "Escape closes them again")
    finally:
        if app_process is not None:
            app_process.terminate()
            try:
                app_process.wait(10)
            except subprocess.TimeoutExpired:
                app_process.kill()
                app_process.wait()
        shutil.rmtree(home, ignore_errors=True)

    print("1..%d" % len(steps))
    return 0 if all(steps) else 1


if __name__ == "__main__":
    sys.exit(main())
