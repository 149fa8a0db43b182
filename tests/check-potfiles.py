#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fails when a source file with strings marked for translation is missing
from po/POTFILES.in, or when POTFILES.in lists a file that does not exist.

Usage: check-potfiles.py SOURCE_ROOT
"""

import pathlib
import re
import sys

# Folders whose files ship user-visible strings. Tests and benchmarks do not.
SCANNED = ["src", "reactors", "examples", "demo-client", "demo-server"]
C_MARK = re.compile(r"(?<![A-Za-z0-9_])(?:N_|NC_|C_|_)\s*\(")
UI_MARK = re.compile(r'translatable\s*=\s*"(?:yes|true)"')


def marked(path: pathlib.Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    if path.suffix in (".c", ".h"):
        return C_MARK.search(text) is not None
    if path.suffix == ".ui":
        return UI_MARK.search(text) is not None
    return False


def listed(potfiles: pathlib.Path) -> set:
    names = set()
    if not potfiles.exists():
        return names
    for line in potfiles.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            names.add(line)
    return names


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    in_potfiles = listed(root / "po" / "POTFILES.in")
    skipped = listed(root / "po" / "POTFILES.skip")
    found = set()
    for folder in SCANNED:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if path.is_file() and path.suffix in (".c", ".h", ".ui") and marked(path):
                found.add(path.relative_to(root).as_posix())

    missing = sorted(found - in_potfiles - skipped)
    stale = sorted(name for name in in_potfiles if not (root / name).exists())
    for name in missing:
        print(f"po/POTFILES.in: missing {name}, which has strings marked for translation")
    for name in stale:
        print(f"po/POTFILES.in: lists {name}, which does not exist")
    if missing or stale:
        return 1
    print(f"po/POTFILES.in lists all {len(found)} files with translatable strings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
