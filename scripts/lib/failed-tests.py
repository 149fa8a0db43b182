#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Print, in a few lines, which tests of a meson test log failed and why.

Usage: failed-tests.py BUILDDIR/meson-logs/testlog.json

For each test program that did not pass: its name, its result and duration,
and the failing GLib test cases ("not ok" lines) with the first assertion
message, so the end of a CI log names the culprit without the full log.
"""
import json
import re
import sys

MAX_LINES_PER_TEST = 6

def main(path):
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except OSError as e:
        print(f"    (no test log: {e})")
        return
    with f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if r.get("result") in ("OK", "SKIP", "EXPECTEDFAIL"):
                continue
            print(f"    {r.get('name')}: {r.get('result')} after {r.get('duration', 0):.0f} s")
            shown = 0
            for out in r.get("stdout", "").splitlines():
                if shown >= MAX_LINES_PER_TEST:
                    print("      ...")
                    break
                if re.match(r"^\s*not ok\b", out) or re.search(r"(ERROR|CRITICAL|ERROR: AddressSanitizer|runtime error|Bail out)", out):
                    print("      " + out.strip()[:200])
                    shown += 1

if __name__ == "__main__":
    main(sys.argv[1])
