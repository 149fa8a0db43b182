#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The shared library exports exactly its public API.

    check-exports.py LIBRARY HEADER...

Fails (TAP "not ok") when `nm -D --defined-only LIBRARY` shows a symbol that
no public header declares (an internal function leaked into the ABI), or when
a function that a public header declares with WEFT_AVAILABLE_IN_ALL is not
exported (a public function lost its export macro).
"""
import re
import subprocess
import sys


def exported_symbols(library):
    out = subprocess.run(['nm', '-D', '--defined-only', library],
                         check=True, capture_output=True, text=True).stdout
    symbols = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, name = parts[-2], parts[-1]
        if kind in 'TDBRVWtdbr' and not name.startswith('_'):
            symbols.add(name.split('@')[0])
    return symbols


def strip_comments(text):
    return re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)


def declared_symbols(headers):
    """Functions declared after WEFT_AVAILABLE_IN_ALL, and every weft_
    identifier a header mentions (G_DECLARE_* makes *_get_type)."""
    declared = set()
    mentioned = set()
    for header in headers:
        text = strip_comments(open(header, encoding='utf-8').read())
        mentioned |= set(re.findall(r'\bweft_\w+', text))
        for decl in re.findall(r'WEFT_AVAILABLE_IN_ALL\s+([^;]*?)(?:;|\)\s*$)', text, flags=re.M):
            m = re.match(r'G_DECLARE_\w+\s*\(\s*\w+\s*,\s*(\w+)', decl)
            if m:
                declared.add(m.group(1) + '_get_type')
                continue
            m = re.search(r'\b(weft_\w+)\s*\(', decl)
            if m:
                declared.add(m.group(1))
    return declared, mentioned


def main():
    library, headers = sys.argv[1], sys.argv[2:]
    exported = exported_symbols(library)
    declared, mentioned = declared_symbols(headers)
    public = declared | mentioned

    leaked = sorted(s for s in exported if s not in public)
    missing = sorted(s for s in declared if s not in exported)

    print('1..2')
    if leaked:
        print('not ok 1 - internal symbols exported: %d' % len(leaked))
        for s in leaked:
            print('# leaked: ' + s)
    else:
        print('ok 1 - only public symbols exported (%d)' % len(exported))
    if missing:
        print('not ok 2 - public functions not exported: %d' % len(missing))
        for s in missing:
            print('# missing: ' + s)
    else:
        print('ok 2 - every declared public function is exported (%d)' % len(declared))
    return 1 if leaked or missing else 0


if __name__ == '__main__':
    sys.exit(main())
