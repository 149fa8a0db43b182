#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Weft from Python, through the build tree's Weft-1.0.typelib.

On every backend this machine can run: a reactor and a timer, a
Weft.LineReceiver subclass that echoes lines over TCP to a client, and a
Deferred chain (synchronous, then one fired later by the reactor). TAP
output; meson sets GI_TYPELIB_PATH and LD_LIBRARY_PATH to the build tree.
"""
import sys

import gi

gi.require_version('Weft', '1.0')
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib, GObject, Weft  # noqa: E402

USEC = 1000000
TIMEOUT_US = 10 * USEC

results = []


def check(name, condition, detail=''):
    results.append((name, bool(condition), detail))


def new_reactor(backend):
    return Weft.Reactor.new(backend, Weft.ReactorFlags.NO_SIGNAL_HANDLERS)


def run_bounded(reactor, what):
    """Runs the reactor until the test stops it, or fails after TIMEOUT_US."""
    timed_out = []

    def give_up(*_):
        timed_out.append(True)
        reactor.stop()

    guard = reactor.call_later(TIMEOUT_US, give_up, None)
    reactor.run()
    guard.cancel()
    if timed_out:
        raise TimeoutError('%s did not finish in %d s' % (what, TIMEOUT_US // USEC))


# Protocols written in Python. The factory builds them from C with
# g_object_new(), so what they learn goes to class-level lists.

class EchoServer(Weft.LineReceiver):
    __gtype_name__ = 'PyWeftEchoServer'
    lines = []

    def do_line_received(self, line, length):
        EchoServer.lines.append(line)
        self.send_line(line, -1)


class EchoClient(Weft.LineReceiver):
    __gtype_name__ = 'PyWeftEchoClient'
    lines = []
    reactor = None

    def do_connection_made(self, transport):
        Weft.LineReceiver.do_connection_made(self, transport)
        self.send_line('hello from Python', -1)

    def do_line_received(self, line, length):
        EchoClient.lines.append(line)
        EchoClient.reactor.stop()


def test_timer(backend):
    reactor = new_reactor(backend)
    fired = []
    start = reactor.get_time()

    def on_timer(data):
        fired.append((data, reactor.get_time()))
        reactor.stop()

    reactor.call_later(20000, on_timer, 'tick')
    run_bounded(reactor, 'the timer')
    check('%s/timer/fires-once' % backend, len(fired) == 1, repr(fired))
    check('%s/timer/not-early' % backend, fired and fired[0][1] - start >= 20000)
    check('%s/timer/user-data' % backend, fired and fired[0][0] == 'tick')
    check('%s/reactor/backend-name' % backend, reactor.get_backend_name() == backend)


def test_tcp_echo(backend):
    reactor = new_reactor(backend)
    EchoServer.lines = []
    EchoClient.lines = []
    EchoClient.reactor = reactor

    server_factory = Weft.Factory.new(EchoServer.__gtype__)
    address = Gio.InetSocketAddress.new_from_string('127.0.0.1', 0)
    port = reactor.listen_tcp(address, server_factory, 5)
    client_factory = Weft.ClientFactory.new(EchoClient.__gtype__)
    connected = []

    def on_connected(result, data):
        connected.append(result.get_object())
        return None

    deferred = reactor.connect_tcp(port.get_address(), client_factory, TIMEOUT_US, None)
    deferred.add_callback(on_connected, None)
    run_bounded(reactor, 'the TCP echo')

    check('%s/tcp/connected' % backend, len(connected) == 1 and isinstance(connected[0], EchoClient),
          repr(connected))
    check('%s/tcp/server-got-line' % backend, EchoServer.lines == ['hello from Python'], repr(EchoServer.lines))
    check('%s/tcp/client-got-echo' % backend, EchoClient.lines == ['hello from Python'], repr(EchoClient.lines))

    for protocol in connected:
        protocol.get_transport().lose_connection()
    port.stop_listening()
    # Let the closes run.
    reactor.call_later(10000, lambda data: reactor.stop(), None)
    run_bounded(reactor, 'closing')
    EchoClient.reactor = None


def test_deferred_chain(backend):
    reactor = new_reactor(backend)
    seen = []

    def double(result, data):
        result.set_int(result.get_int() * 2)
        return None

    def fail_if_big(result, data):
        if result.get_int() > 40:
            result.set_error_literal(Gio.io_error_quark(), Gio.IOErrorEnum.INVALID_DATA, 'too big')
        return None

    def recover(result, data):
        seen.append(result.get_error().message)
        result.set_string('recovered')
        return None

    def last(result, data):
        seen.append(result.get_string())
        return None

    deferred = Weft.Deferred.new()
    deferred.add_callback(double, None)
    deferred.add_callback(fail_if_big, None)
    deferred.add_errback(recover, None)
    deferred.add_callback(last, None)
    deferred.callback_int(21)
    check('%s/deferred/chain' % backend, seen == ['too big', 'recovered'], repr(seen))
    check('%s/deferred/has-fired' % backend, deferred.has_fired())

    # A deferred fired by the reactor, later.
    later = []

    def answer(result, data):
        result.set_string(data)
        return None

    def record(result, data):
        later.append((result.get_string(), reactor.get_time()))
        reactor.stop()
        return None

    start = reactor.get_time()
    waiting = Weft.defer_later(reactor, 10000, answer, 'later')
    waiting.add_callback(record, None)
    run_bounded(reactor, 'defer_later')
    check('%s/deferred/later' % backend, len(later) == 1 and later[0][0] == 'later', repr(later))
    check('%s/deferred/later-not-early' % backend, later and later[0][1] - start >= 10000)


def main():
    backends = [name for name in Weft.Reactor.list_backends()
                if Weft.Reactor.backend_is_available(name)[0]]
    check('backends/all-four-known', set(Weft.Reactor.list_backends()) >= {'select', 'poll', 'epoll', 'glib'},
          repr(Weft.Reactor.list_backends()))
    for backend in backends:
        for test in (test_timer, test_tcp_echo, test_deferred_chain):
            try:
                test(backend)
            except Exception as error:  # a failure, not a crash of the whole run
                check('%s/%s' % (backend, test.__name__), False, '%s: %s' % (type(error).__name__, error))

    print('1..%d' % len(results))
    for number, (name, ok, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', number, name))
        if not ok and detail:
            print('# ' + detail)
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
