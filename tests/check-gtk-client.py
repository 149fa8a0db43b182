#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the program of docs/gtk-client.md (examples/weft-gtk-client) on
every backend against examples/weft-echo-server: it must open its window,
connect, get its lines back and quit by itself. Needs a display (the test
suite runs under Xvfb); without one every case is skipped.

Usage: check-gtk-client.py WEFT_GTK_CLIENT WEFT_ECHO_SERVER
"""

import os
import re
import subprocess
import sys

CLIENT, SERVER = sys.argv[1:3]
BACKENDS = ["select", "poll", "epoll", "glib"]
LINES = ["hello", "wörld", "a line with spaces"]

env = dict(os.environ)
env["LANG"] = "C.UTF-8"
env.pop("LANGUAGE", None)
env.pop("LC_ALL", None)

print(f"1..{len(BACKENDS)}")
if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
    for i, backend in enumerate(BACKENDS, 1):
        print(f"ok {i} {backend} # SKIP no display")
    sys.exit(0)

server = subprocess.Popen([SERVER, "--listen", "tcp:0:interface=127.0.0.1"], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
failures = 0
try:
    first = server.stdout.readline()
    match = re.search(r"127\.0\.0\.1:(\d+)", first)
    if match is None:
        print(f"Bail out! the echo server did not say where it listens: {first!r}")
        sys.exit(1)
    port = match.group(1)
    for i, backend in enumerate(BACKENDS, 1):
        argv = [CLIENT, f"--connect=tcp:127.0.0.1:{port}", f"--reactor={backend}", "--quit-when-echoed"]
        for line in LINES:
            argv.append(f"--send={line}")
        try:
            result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
            output = result.stdout.splitlines()
            ok = result.returncode == 0 and output == LINES
            detail = f"exit {result.returncode}, stdout {output!r}, stderr {result.stderr.strip()!r}"
        except subprocess.TimeoutExpired:
            ok, detail = False, "did not quit within 60 s"
        if ok:
            print(f"ok {i} {backend}: connected, echoed {len(LINES)} lines, quit")
        else:
            failures += 1
            print(f"not ok {i} {backend}: {detail}")
finally:
    server.terminate()
    server.wait(timeout=10)
sys.exit(1 if failures else 0)
