#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""WeftSoup from Python, through the build tree's WeftSoup-1.typelib.

On every backend this machine can run: a WeftSoup.Server on a Weft
endpoint with a handler written in Python, GET and POST through a session
bound to the reactor with the responses fired as Deferreds, an HTTP error,
and a WebSocket whose both ends are Weft.LineReceivers written here. TAP
output; meson sets GI_TYPELIB_PATH and LD_LIBRARY_PATH to the build tree.
"""
import sys

import gi

gi.require_version('Weft', '1.0')
gi.require_version('WeftSoup', '1')
gi.require_version('Soup', '3.0')
from gi.repository import GLib, Soup, Weft, WeftSoup  # noqa: E402

USEC = 1000000
TIMEOUT_US = 10 * USEC

results = []


def check(name, condition, detail=''):
    results.append((name, bool(condition), detail))


def iterate_until(reactor, done, what):
    """Iterates the reactor until done() holds, for at most TIMEOUT_US."""
    timed_out = []
    guard = reactor.call_later(TIMEOUT_US, lambda data: timed_out.append(True), None)
    while not done() and not timed_out:
        reactor.iterate(True)
    guard.cancel()
    if not done():
        raise TimeoutError('%s did not happen in %d s' % (what, TIMEOUT_US // USEC))


def wait_for(reactor, deferred, what, convert):
    """Iterates until @deferred fires; returns (convert(value), error)."""
    outcome = []

    def on_result(result, data):
        error = result.get_error()
        if error is not None:
            outcome.append((None, error.copy()))
            result.set_string('handled')
        else:
            outcome.append((convert(result.get_value()), None))
        return None

    deferred.add_both(on_result, None)
    iterate_until(reactor, lambda: outcome, what)
    return outcome[0]


def summary(response):
    body = response.get_body()
    return (response.get_status(), response.get_content_type(), body.get_data() if body else None)


class EchoLines(Weft.LineReceiver):
    __gtype_name__ = 'PyWeftSoupEchoLines'

    def do_line_received(self, line, length):
        self.send_line('echo: ' + line, -1)


class LineClient(Weft.LineReceiver):
    __gtype_name__ = 'PyWeftSoupLineClient'
    lines = []

    def do_connection_made(self, transport):
        Weft.LineReceiver.do_connection_made(self, transport)
        self.send_line('hello over a WebSocket', -1)

    def do_line_received(self, line, length):
        LineClient.lines.append(line)


def test_http(backend):
    reactor = Weft.Reactor.new(backend, Weft.ReactorFlags.NO_SIGNAL_HANDLERS)
    server = WeftSoup.Server.new(reactor)
    requests = []

    def handler(soup_server, message, path, query):
        requests.append((message.get_method(), path))
        if message.get_method() == 'POST':
            body = message.get_request_body().flatten().get_data()
            message.set_response('text/plain', Soup.MemoryUse.COPY, b'got ' + body)
        else:
            message.set_response('text/plain', Soup.MemoryUse.COPY, b'hello from Python')
        message.set_status(200, None)

    server.add_handler('/hello', handler)
    server.add_websocket('/lines', None, None, Weft.Factory.new(EchoLines.__gtype__))
    server.listen('tcp:0:interface=127.0.0.1')
    check('%s/server/port' % backend, server.get_port() > 0, repr(server.get_port()))
    session = WeftSoup.session_new(reactor)

    got, error = wait_for(reactor, WeftSoup.get(session, server.get_url('/hello')), 'a GET', summary)
    check('%s/http/get' % backend, error is None and got == (200, 'text/plain', b'hello from Python'),
          repr((got, error and error.message)))

    body = GLib.Bytes.new(b'a body')
    got, error = wait_for(reactor, WeftSoup.post(session, server.get_url('/hello'), 'text/plain', body), 'a POST',
                          summary)
    check('%s/http/post' % backend, error is None and got == (200, 'text/plain', b'got a body'),
          repr((got, error and error.message)))
    check('%s/http/handler' % backend, requests == [('GET', '/hello'), ('POST', '/hello')], repr(requests))

    got, error = wait_for(reactor, WeftSoup.get(session, server.get_url('/nowhere')), 'a 404', summary)
    check('%s/http/not-found' % backend, error is not None and error.code == 404
          and error.domain == 'weft-soup-http-error-quark',
          repr((got, error and (error.domain, error.code, error.message))))

    LineClient.lines = []
    url = server.get_url('/lines').replace('http://', 'ws://', 1)
    client, error = wait_for(reactor, WeftSoup.websocket_connect(reactor, url, None, None,
                                                                 Weft.ClientFactory.new(LineClient.__gtype__)),
                             'a WebSocket', lambda value: value)
    check('%s/websocket/connected' % backend, error is None and isinstance(client, LineClient),
          repr((client, error and error.message)))
    if client is not None:
        iterate_until(reactor, lambda: LineClient.lines, 'the WebSocket echo')
        check('%s/websocket/echo' % backend, LineClient.lines == ['echo: hello over a WebSocket'],
              repr(LineClient.lines))
        check('%s/websocket/counted' % backend, server.get_n_websockets() == 1, repr(server.get_n_websockets()))
        client.get_transport().lose_connection()
        iterate_until(reactor, lambda: server.get_n_websockets() == 0, 'the WebSocket close')

    session.abort()
    server.disconnect()


def main():
    backends = [name for name in Weft.Reactor.list_backends()
                if Weft.Reactor.backend_is_available(name)[0]]
    for backend in backends:
        try:
            test_http(backend)
        except Exception as error:  # a failure, not a crash of the whole run
            check('%s/test_http' % backend, False, '%s: %s' % (type(error).__name__, error))

    print('1..%d' % len(results))
    for number, (name, ok, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', number, name))
        if not ok and detail:
            print('# ' + repr(detail))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
