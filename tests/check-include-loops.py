#!/usr/bin/python3
# check-include-loops.py: no module includes a module that includes it back
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds the module graph of src/core (all its folders together) and of
# src/gui, and fails, naming the loop and the #include lines that make it,
# when a module includes another that (directly or through others) includes
# it back.
#
# A module is a header sonde-foo.h, its sonde-foo-private.h and the .c files
# that implement it: sonde-foo.c, and sonde-foo-bar.c when it includes
# sonde-foo-private.h, or when there is no sonde-foo-bar.h but there is a
# sonde-foo.h (the longest such prefix wins). So sonde-window-*.c belong to
# sonde-window, sonde-connection-probe.c to sonde-connection. Including
# another module's private header counts like including its header.
# Includes of files outside the tree being checked (GLib, GTK, generated
# headers, core headers seen from the GUI) are not edges.
#
# Usage: check-include-loops.py SOURCE_ROOT. Prints TAP; exit status 0 or 1.

import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
TREES = ("src/core", "src/gui")

steps = []


def tap(ok, name, details=()):
    steps.append(ok)
    print("%s %d - %s" % ("ok" if ok else "not ok", len(steps), name))
    for detail in details:
        print("#   %s" % detail)
    return ok


def read_includes(path):
    with open(path, encoding="utf-8") as f:
        return INCLUDE.findall(f.read())


def scan(root, tree):
    """Every .c and .h under @tree: {basename: (relative path, [included basenames])}."""
    files = {}
    for directory, _subdirs, names in os.walk(os.path.join(root, tree)):
        for name in sorted(names):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, root)
            if name in files:
                sys.exit("Bail out! two files named %s: %s and %s" % (name, files[name][0], rel))
            files[name] = (rel, [os.path.basename(i) for i in read_includes(path)])
    return files


def prefixes(stem):
    """sonde-foo-bar-baz → sonde-foo-bar, sonde-foo (longest first)."""
    parts = stem.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts) - 1, 1, -1)]


def module_of(name, files):
    stem = name[:-2]
    if name.endswith(".h"):
        if stem.endswith("-private") and stem[: -len("-private")] + ".h" in files:
            return stem[: -len("-private")]
        return stem
    # A .c file.
    if stem + ".h" in files:
        own = stem
    else:
        own = None
    includes = files[name][1]
    for prefix in prefixes(stem):
        if prefix + "-private.h" in includes and prefix + "-private.h" in files:
            return prefix
    if own is not None:
        return own
    for prefix in prefixes(stem):
        if prefix + ".h" in files:
            return prefix
    return stem


def graph(files):
    """{module: {included module: [(file, included file), …]}} and {module: [files]}."""
    members = {}
    edges = {}
    for name in files:
        members.setdefault(module_of(name, files), []).append(name)
    for name, (_rel, includes) in files.items():
        source = module_of(name, files)
        for included in includes:
            if included not in files:
                continue
            target = module_of(included, files)
            if target != source:
                edges.setdefault(source, {}).setdefault(target, []).append((name, included))
    for module in members:
        edges.setdefault(module, {})
    return members, edges


def strongly_connected(edges):
    """Tarjan's algorithm, iteratively: the components of more than one module."""
    index = {}
    low = {}
    on_stack = set()
    stack = []
    components = []
    counter = [0]

    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def cycle_in(component, edges):
    """One loop through the component's first module, as a list of modules."""
    inside = set(component)
    start = component[0]
    # Breadth-first from start's successors back to start: the shortest loop.
    previous = {}
    frontier = [start]
    seen = {start}
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(edges[node]):
                if child not in inside:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    path.reverse()
                    return path + [start]
                if child not in seen:
                    seen.add(child)
                    previous[child] = node
                    following.append(child)
        frontier = following
    return component + [start]


def check(root, tree):
    files = scan(root, tree)
    members, edges = graph(files)
    if not tap(len(members) >= 5 and any(edges.values()),
               "%s: a module graph was built (%d modules from %d files)" % (tree, len(members), len(files))):
        return
    details = []
    for component in strongly_connected(edges):
        loop = cycle_in(component, edges)
        details.append("loop: %s" % " → ".join(loop))
        for source, target in zip(loop, loop[1:]):
            for name, included in edges[source][target]:
                details.append("  %s includes \"%s\" (%s → %s)" % (files[name][0], included, source, target))
    tap(not details, "%s: no module includes a module that includes it back" % tree, details)


def main():
    root = sys.argv[1]
    for tree in TREES:
        check(root, tree)
    print("1..%d" % len(steps))
    return 0 if all(steps) else 1


if __name__ == "__main__":
    sys.exit(main())
