#!/usr/bin/python3
# notification_server.py: a desktop notification server for the tests
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Owns org.freedesktop.Notifications on the session bus (the tests' private
# one, from dbus-run-session) and speaks the Desktop Notifications
# Specification 1.2, as a desktop shell would, so that GLib's GNotification
# goes through its real D-Bus path. What it received can be read back, and
# a notification's action invoked, through io.github.sondeapp.TestNotifications:
#   List () -> a(ussas): id, summary, body, action keys
#   Invoke (u id, s key): emits ActionInvoked, as a click would
# Prints "ready" once the name is owned; exits when stdin closes, or after
# 120 s at the latest.

import sys

from gi.repository import Gio, GLib

XML = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
    <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
  </interface>
  <interface name="io.github.sondeapp.TestNotifications">
    <method name="List"><arg type="a(ussas)" direction="out"/></method>
    <method name="Invoke"><arg type="u" direction="in"/><arg type="s" direction="in"/></method>
  </interface>
</node>
"""

PATH = "/org/freedesktop/Notifications"

loop = GLib.MainLoop()
notifications = {}   # id -> (summary, body, action keys)
next_id = [1]
connection_ref = [None]


def on_call(connection, sender, path, interface, method, params, invocation):
    if method == "GetCapabilities":
        invocation.return_value(GLib.Variant("(as)", (["actions", "body"],)))
    elif method == "Notify":
        app_name, replaces, icon, summary, body, actions, hints, timeout = params.unpack()
        nid = replaces if replaces in notifications else next_id[0]
        if nid == next_id[0]:
            next_id[0] += 1
        notifications[nid] = (summary, body, list(actions[0::2]))
        invocation.return_value(GLib.Variant("(u)", (nid,)))
    elif method == "CloseNotification":
        (nid,) = params.unpack()
        notifications.pop(nid, None)
        connection.emit_signal(None, PATH, "org.freedesktop.Notifications", "NotificationClosed",
                               GLib.Variant("(uu)", (nid, 3)))
        invocation.return_value(None)
    elif method == "GetServerInformation":
        invocation.return_value(GLib.Variant("(ssss)", ("sonde-test", "sonde", "1", "1.2")))
    elif method == "List":
        items = [(nid, s, b, keys) for nid, (s, b, keys) in sorted(notifications.items())]
        invocation.return_value(GLib.Variant("(a(ussas))", (items,)))
    elif method == "Invoke":
        nid, key = params.unpack()
        connection.emit_signal(None, PATH, "org.freedesktop.Notifications", "ActionInvoked",
                               GLib.Variant("(us)", (nid, key)))
        invocation.return_value(None)
    else:
        invocation.return_dbus_error("org.freedesktop.DBus.Error.UnknownMethod", method)


def on_bus(connection, name):
    connection_ref[0] = connection
    info = Gio.DBusNodeInfo.new_for_xml(XML)
    for interface in info.interfaces:
        connection.register_object(PATH, interface, on_call, None, None)


def on_name(connection, name):
    print("ready", flush=True)


def on_lost(connection, name):
    print("could not own " + name, file=sys.stderr, flush=True)
    loop.quit()


def on_stdin(channel, condition):
    if condition & (GLib.IOCondition.HUP | GLib.IOCondition.ERR) or not channel.read_line()[1]:
        loop.quit()
        return False
    return True


Gio.bus_own_name(Gio.BusType.SESSION, "org.freedesktop.Notifications", Gio.BusNameOwnerFlags.NONE,
                 on_bus, on_name, on_lost)
GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.PRIORITY_DEFAULT,
                  GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR, on_stdin)
GLib.timeout_add_seconds(120, loop.quit)
loop.run()
