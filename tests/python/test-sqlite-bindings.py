#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""WeftSqlite from Python, through the build tree's WeftSqlite-1.typelib.

On every backend this machine can run: a pool on a temporary file, a
migration, inserts with bound parameters (a GVariant tuple), a write run as
a Python interaction on the pool's writer thread, and the rows read back
through Deferreds fired by the reactor. TAP output; meson sets
GI_TYPELIB_PATH and LD_LIBRARY_PATH to the build tree.
"""
import os
import sys
import tempfile

import gi

gi.require_version('Weft', '1.0')
gi.require_version('WeftSqlite', '1')
from gi.repository import GLib, Weft, WeftSqlite  # noqa: E402

USEC = 1000000
TIMEOUT_US = 10 * USEC

results = []


def check(name, condition, detail=''):
    results.append((name, bool(condition), detail))


def wait_for(reactor, deferred, what, convert=None):
    """Iterates the reactor until @deferred fires, for at most TIMEOUT_US;
    returns (value, error message), the value passed through @convert while
    the result holds it. Not reactor.stop(): stopping runs the
    shutdown triggers, and the pool closes itself on one."""
    outcome = []
    timed_out = []

    def on_result(result, data):
        error = result.get_error()
        if error is not None:
            outcome.append((None, error.message))
            # Handled here: the chain continues with an empty result.
            result.set_string('handled')
        else:
            value = result.get_value()
            outcome.append((convert(value) if convert else value, None))
        return None

    deferred.add_both(on_result, None)
    guard = reactor.call_later(TIMEOUT_US, lambda data: timed_out.append(True), None)
    while not outcome and not timed_out:
        reactor.iterate(True)
    guard.cancel()
    if not outcome:
        raise TimeoutError('%s did not finish in %d s' % (what, TIMEOUT_US // USEC))
    return outcome[0]


def test_pool(backend, directory):
    reactor = Weft.Reactor.new(backend, Weft.ReactorFlags.NO_SIGNAL_HANDLERS)
    path = os.path.join(directory, 'weft-%s.sqlite' % backend)
    pool = WeftSqlite.Pool.new(reactor, path)
    pool.set_n_readers(2)
    pool.add_migration('CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)')
    pool.add_migration('ALTER TABLE people ADD COLUMN note TEXT')
    check('%s/pool/path' % backend, pool.get_path() == path, pool.get_path())

    _, error = wait_for(reactor, pool.open(), 'opening the pool')
    check('%s/pool/opened' % backend, error is None and pool.is_open(), repr(error))

    changes, error = wait_for(reactor, pool.run_operation('INSERT INTO people (name, age, note) VALUES (?, ?, ?)',
                                                          GLib.Variant('(sxs)', ('Ada', 36, "it's \"quoted\""))),
                              'an insert', lambda value: (value.changes, value.last_insert_rowid))
    check('%s/insert/no-error' % backend, error is None, repr(error))
    check('%s/insert/changes' % backend, changes == (1, 1), repr(changes))

    _, error = wait_for(reactor, pool.run_operation('INSERT INTO people (name, age) VALUES (?, ?)',
                                                    GLib.Variant('(sx)', ('Grace', 45))),
                        'a second insert')
    check('%s/insert/second' % backend, error is None, repr(error))

    # A Python function on the writer thread, inside a transaction.
    seen_threads = []

    def interaction(connection, result, data):
        seen_threads.append(data)
        result.set_string('interacted')
        return True

    value, error = wait_for(reactor, pool.run_interaction(interaction, 'on the writer'), 'an interaction')
    check('%s/interaction/ran' % backend, error is None and value == 'interacted'
          and seen_threads == ['on the writer'], repr((value, error, seen_threads)))

    rows, error = wait_for(reactor, pool.run_query('SELECT id, name, age, note FROM people WHERE age > ? ORDER BY id',
                                                   GLib.Variant('(x)', (30,))),
                           'a query')
    check('%s/query/no-error' % backend, error is None, repr(error))
    got = []
    if rows is not None:
        for i in range(rows.get_n_items()):
            row = rows.get_item(i)
            got.append((row.get_int64(0), row.get_string_by_name('name'), row.get_int64(2),
                        None if row.is_null(3) else row.get_string(3)))
    check('%s/query/rows' % backend, got == [(1, 'Ada', 36, "it's \"quoted\""), (2, 'Grace', 45, None)], repr(got))
    check('%s/query/column-names' % backend, rows is not None and rows.get_n_items() > 0
          and rows.get_item(0).get_column_name(1) == 'name')

    _, error = wait_for(reactor, pool.run_query('SELECT * FROM nowhere', None), 'a bad query')
    check('%s/query/error' % backend, error is not None and 'nowhere' in error, repr(error))

    version, error = wait_for(reactor, pool.run_query('PRAGMA user_version', None), 'the schema version')
    check('%s/migration/user-version' % backend, version is not None and version.get_n_items() == 1
          and version.get_item(0).get_int64(0) == 2, repr(version))

    _, error = wait_for(reactor, pool.close(), 'closing the pool')
    check('%s/pool/closed' % backend, error is None and not pool.is_open(), repr(error))


def main():
    backends = [name for name in Weft.Reactor.list_backends()
                if Weft.Reactor.backend_is_available(name)[0]]
    with tempfile.TemporaryDirectory(prefix='weft-sqlite-python-') as directory:
        for backend in backends:
            try:
                test_pool(backend, directory)
            except Exception as error:  # a failure, not a crash of the whole run
                check('%s/test_pool' % backend, False, '%s: %s' % (type(error).__name__, error))

    print('1..%d' % len(results))
    for number, (name, ok, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', number, name))
        if not ok and detail:
            print('# ' + detail)
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
