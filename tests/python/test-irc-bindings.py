#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""WeftIrc from Python, through the build tree's WeftIrc-1.typelib.

Messages parsed and serialized with their tags, formatting codes taken
apart into spans, case mapping, and on every backend this machine can run
a WeftIrc.Client talking over TCP to a tiny IRC server written here as a
Weft.LineReceiver: registration, a JOIN, a PRIVMSG each way. TAP output;
meson sets GI_TYPELIB_PATH and LD_LIBRARY_PATH to the build tree.
"""
import sys

import gi

gi.require_version('Weft', '1.0')
gi.require_version('WeftIrc', '1')
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib, GObject, Weft, WeftIrc  # noqa: E402

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


def test_messages():
    line = ('@time=2024-05-06T07:08:09.123Z;msgid=abc;+example.org/note=two\\swords '
            ':nick!user@host.example PRIVMSG #weft :hello there')
    message = WeftIrc.Message.parse(line.encode())
    check('message/verb', message.get_verb() == 'PRIVMSG', message.get_verb())
    check('message/source', message.get_source() == 'nick!user@host.example', message.get_source())
    check('message/params', message.get_params() == ['#weft', 'hello there'], repr(message.get_params()))
    check('message/n-params', message.get_n_params() == 2 and message.get_param(1) == 'hello there')
    check('message/tag-unescaped', message.get_tag('+example.org/note') == 'two words',
          repr(message.get_tag('+example.org/note')))
    check('message/has-tag', message.has_tag('msgid') and not message.has_tag('label'))
    tags = message.get_tags()
    check('message/tags', tags.get('msgid') == 'abc' and len(tags) == 3, repr(tags))
    when = message.get_time()
    check('message/time', when is not None and (when.get_year(), when.get_minute(), when.get_second()) == (2024, 8, 9),
          repr(when and when.format_iso8601()))
    check('message/split-source', tuple(WeftIrc.split_source(message.get_source())) == ('nick', 'user', 'host.example'),
          repr(WeftIrc.split_source(message.get_source())))
    again = WeftIrc.Message.parse(message.to_string().encode())
    check('message/round-trip', again.get_params() == message.get_params()
          and again.get_tag('+example.org/note') == 'two words' and again.get_source() == message.get_source(),
          message.to_string())

    built = WeftIrc.Message.new('PRIVMSG')
    built.add_param('#weft')
    built.add_param(':-) a smile; then; spaces')
    built.set_tag('label', 'a;b c')
    check('message/serialize', built.to_string() == '@label=a\\:b\\sc PRIVMSG #weft ::-) a smile; then; spaces',
          built.to_string())
    numeric = WeftIrc.Message.parse(':irc.test 433 * weft :Nickname is already in use'.encode())
    check('message/numeric', numeric.get_numeric() == 433, repr(numeric.get_numeric()))

    try:
        WeftIrc.Message.parse(''.encode())
        check('message/parse-error', False, 'an empty line parsed')
    except GLib.Error as error:
        check('message/parse-error', error.domain == GLib.quark_to_string(WeftIrc.error_quark()), error.message)
    bad = WeftIrc.Message.new('PRIVMSG')
    bad.add_param('#weft')
    bad.add_param('line\r\nQUIT')
    try:
        bad.to_string()
        check('message/serialize-error', False, 'CR LF serialized')
    except GLib.Error as error:
        check('message/serialize-error', error.matches(WeftIrc.error_quark(), WeftIrc.Error.MALFORMED), error.message)


def test_formatting():
    text = 'plain \x02bold\x02 \x0304,12red on blue\x0f \x1ditalic\x1d'
    formatted = WeftIrc.FormattedText.parse(text.encode())
    plain = formatted.get_text()
    check('format/text', plain == 'plain bold red on blue italic', repr(plain))
    check('format/strip', WeftIrc.strip_formatting(text.encode()) == plain, repr(WeftIrc.strip_formatting(text.encode())))
    spans = formatted.get_spans()
    check('format/n-spans', len(spans) == formatted.get_n_spans(), repr((len(spans), formatted.get_n_spans())))
    by_text = {plain[span.start:span.end]: span for span in spans}
    bold = by_text.get('bold')
    check('format/bold', bold is not None and bold.style == WeftIrc.TextStyle.BOLD and bold.foreground == -1,
          repr(sorted(by_text)))
    red = by_text.get('red on blue')
    check('format/colours', red is not None and (red.foreground, red.background) == (4, 12)
          and red.foreground_rgb == WeftIrc.color_to_rgb(4), repr(red and (red.foreground, red.background)))
    italic = by_text.get('italic')
    check('format/italic', italic is not None and italic.style & WeftIrc.TextStyle.ITALIC)
    one = formatted.get_span(0)
    check('format/get-span', one.start == spans[0].start and one.end == spans[0].end)


def test_casemapping():
    rfc = WeftIrc.Casemapping.RFC1459
    check('casemap/fold', WeftIrc.casefold(rfc, 'Weft[M]\\~') == 'weft{m}|^', WeftIrc.casefold(rfc, 'Weft[M]\\~'))
    check('casemap/ascii-fold', WeftIrc.casefold(WeftIrc.Casemapping.ASCII, 'Weft[M]') == 'weft[m]')
    check('casemap/equal', WeftIrc.case_equal(rfc, '#Weft[x]', '#wEFT{X}')
          and not WeftIrc.case_equal(WeftIrc.Casemapping.ASCII, '#Weft[x]', '#weft{x}'))
    check('casemap/hash', WeftIrc.case_hash(rfc, 'Nick[1]') == WeftIrc.case_hash(rfc, 'nick{1}'))
    check('casemap/cmp', WeftIrc.casecmp(rfc, 'a', 'B') < 0 and WeftIrc.casecmp(rfc, 'ABC', 'abc') == 0)
    found, mapping = WeftIrc.casemapping_from_string('rfc1459-strict')
    check('casemap/from-string', found and mapping == WeftIrc.Casemapping.RFC1459_STRICT, repr((found, mapping)))
    check('casemap/to-string', WeftIrc.casemapping_to_string(WeftIrc.Casemapping.ASCII) == 'ascii')
    check('casemap/unknown', not WeftIrc.casemapping_from_string('klingon')[0])


class TinyIrcServer(Weft.LineReceiver):
    """Just enough of a server: CAP LS, NICK/USER, JOIN, PRIVMSG, PING."""
    __gtype_name__ = 'PyWeftTinyIrcServer'
    received = []
    connections = []

    def do_connection_made(self, transport):
        Weft.LineReceiver.do_connection_made(self, transport)
        self.nick = None
        self.user = None
        TinyIrcServer.connections.append(self)

    def do_connection_lost(self, reason):
        TinyIrcServer.connections.remove(self)

    def send(self, line):
        self.send_line(line, -1)

    def do_line_received(self, line, length):
        line = line.rstrip('\r')
        TinyIrcServer.received.append(line)
        message = WeftIrc.Message.parse(line.encode())
        verb, params = message.get_verb(), message.get_params()
        if verb == 'CAP' and params[0] == 'LS':
            self.send(':irc.test CAP * LS :')
        elif verb == 'NICK':
            self.nick = params[0]
        elif verb == 'USER':
            self.user = params[0]
        elif verb == 'JOIN':
            self.send(':%s!%s@client.test JOIN %s' % (self.nick, self.user, params[0]))
            self.send(':irc.test 353 %s = %s :%s friend' % (self.nick, params[0], self.nick))
            self.send(':irc.test 366 %s %s :End of /NAMES list' % (self.nick, params[0]))
        elif verb == 'PRIVMSG':
            self.send(':friend!f@friend.test PRIVMSG %s :hello \x02%s\x02' % (params[0], self.nick))
        elif verb == 'PING':
            self.send(':irc.test PONG irc.test :%s' % params[-1])
        elif verb == 'QUIT':
            self.get_transport().lose_connection()
        if verb in ('NICK', 'USER') and self.nick and self.user and not getattr(self, 'welcomed', False):
            self.welcomed = True
            self.send(':irc.test 001 %s :Welcome to the tiny network' % self.nick)
            self.send(':irc.test 005 %s CASEMAPPING=rfc1459 CHANTYPES=# NETWORK=Tiny :are supported' % self.nick)
            self.send(':irc.test 376 %s :End of /MOTD command' % self.nick)


def test_client(backend):
    reactor = Weft.Reactor.new(backend, Weft.ReactorFlags.NO_SIGNAL_HANDLERS)
    TinyIrcServer.received = []
    TinyIrcServer.connections = []
    factory = Weft.Factory.new(TinyIrcServer.__gtype__)
    port = reactor.listen_tcp(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0), factory, 5)
    address = port.get_address()

    client = WeftIrc.Client.new(reactor, 'Pyth[on]')
    client.set_username('weft')
    client.set_realname('Weft from Python')
    events = []
    heard = []
    outgoing = []

    def on_registered(client, nick):
        events.append(('registered', nick))
        client.join('#Weft', None)

    def on_joined(client, channel, nick, message):
        events.append(('joined', channel.get_name(), nick))
        if client.get_current_nick() == nick and not outgoing:
            outgoing.append(client.send_privmsg('#weft', 'hi from Python'))

    def on_message(client, message, conversation, nick, text, flags):
        heard.append((conversation, nick, text, message.get_verb()))

    # WeftIrc.Client.connect() is the client's own (a URL), which hides
    # GObject.Object.connect() for signals.
    GObject.Object.connect(client, 'registered', on_registered)
    GObject.Object.connect(client, 'joined', on_joined)
    GObject.Object.connect(client, 'message-received', on_message)
    client.connect('tcp:127.0.0.1:%d' % address.get_port())

    iterate_until(reactor, lambda: any(nick == 'friend' for _, nick, _, _ in heard), 'registration and a PRIVMSG')

    check('%s/client/registered' % backend, ('registered', 'Pyth[on]') in events, repr(events))
    check('%s/client/state' % backend, client.get_state() == WeftIrc.ClientState.REGISTERED, repr(client.get_state()))
    check('%s/client/registration-lines' % backend,
          TinyIrcServer.received[:3] == ['CAP LS 302', 'NICK Pyth[on]', 'USER weft 0 * :Weft from Python']
          or {'NICK Pyth[on]', 'USER weft 0 * :Weft from Python'} <= set(TinyIrcServer.received),
          repr(TinyIrcServer.received))
    check('%s/client/network' % backend, client.get_network() == 'Tiny', repr(client.get_network()))
    check('%s/client/joined' % backend, ('joined', '#Weft', 'Pyth[on]') in events, repr(events))
    check('%s/client/privmsg-sent' % backend, 'PRIVMSG #weft :hi from Python' in TinyIrcServer.received,
          repr(TinyIrcServer.received))
    check('%s/client/outgoing' % backend, len(outgoing) == 1 and outgoing[0].get_text() == 'hi from Python'
          and outgoing[0].get_target() == '#weft', repr(outgoing))
    check('%s/client/privmsg-received' % backend, ('#weft', 'friend', 'hello \x02Pyth[on]\x02', 'PRIVMSG') in heard,
          repr(heard))
    channels = client.get_channels()
    names = [channels.get_item(i).get_name() for i in range(channels.get_n_items())]
    check('%s/client/channels' % backend, names == ['#Weft'], repr(names))
    members = channels.get_item(0).get_members() if names else None
    member_nicks = sorted(members.get_item(i).get_nick() for i in range(members.get_n_items())) if members else []
    check('%s/client/members' % backend, member_nicks == ['Pyth[on]', 'friend'], repr(member_nicks))

    client.disconnect('bye')
    iterate_until(reactor, lambda: not TinyIrcServer.connections
                  and client.get_state() == WeftIrc.ClientState.DISCONNECTED, 'the disconnection')
    check('%s/client/quit' % backend, any(line.startswith('QUIT') for line in TinyIrcServer.received),
          repr(TinyIrcServer.received[-3:]))
    port.stop_listening()


def main():
    for test in (test_messages, test_formatting, test_casemapping):
        try:
            test()
        except Exception as error:  # a failure, not a crash of the whole run
            check(test.__name__, False, '%s: %s' % (type(error).__name__, error))
    backends = [name for name in Weft.Reactor.list_backends()
                if Weft.Reactor.backend_is_available(name)[0]]
    for backend in backends:
        try:
            test_client(backend)
        except Exception as error:
            check('%s/test_client' % backend, False, '%s: %s' % (type(error).__name__, error))

    print('1..%d' % len(results))
    for number, (name, ok, detail) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', number, name))
        if not ok and detail:
            print('# ' + repr(detail))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
