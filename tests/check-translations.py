#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs examples under LANGUAGE=ja and LANGUAGE=de with the catalogs built
in the build tree and checks that the library's and the example's strings
come out translated; also that typographic characters survive a plain
C.UTF-8 locale (every example calls setlocale) and that nonsense option
values are refused with a message.

Also that each library on top of the core (libweft-irc, libweft-soup,
libweft-sqlite, through tests/translations-helper.c) and the chat server
speak Japanese under LANGUAGE=ja.

Usage: check-translations.py LOCALEDIR WEFT_HELLO WEFT_RUN TRANSLATIONS_HELPER WEFT_CHAT_SERVER
"""

import os
import subprocess
import sys

failures = []


def run(argv, language=None):
    env = dict(os.environ)
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    env["LANG"] = "C.UTF-8"
    env["WEFT_LOCALEDIR"] = LOCALEDIR
    env["WEFT_REACTOR"] = "poll"
    if language is None:
        env.pop("LANGUAGE", None)
    else:
        env["LANGUAGE"] = language
    result = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    return result.returncode, result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace")


def expect(name, condition, output):
    if condition:
        print(f"ok - {name}")
    else:
        print(f"not ok - {name}")
        for line in output.splitlines():
            print(f"# {line}")
        failures.append(name)


LOCALEDIR, HELLO, RUN, HELPER, CHAT_SERVER = sys.argv[1:6]

code, out = run([HELLO, "--help"], "ja")
expect("ja: --help shows the Weft options, translated", "イベントループのバックエンドを一覧表示して終了する" in out, out)
expect("ja: --help shows the example's own summary, translated", "いくつかティックを表示する" in out, out)
code, out = run([HELLO, "--reactor=nonsense"], "ja")
expect("ja: an unknown reactor is reported in Japanese", code != 0 and "不明なリアクター「nonsense」" in out, out)
code, out = run([HELLO], "ja")
expect("ja: the example's output is translated", code == 0 and "リアクター: poll" in out, out)

code, out = run([HELPER], "ja")
expect("ja: libweft-irc reports a bad IRC line in Japanese", code == 0 and "irc: IRC の行にメッセージタグがありますが、コマンドがありません" in out, out)
expect("ja: libweft-soup reports a reactor without GLib hosting in Japanese", code == 0 and "soup: poll リアクターは GLib ホスティングを無効にして作成されているため" in out, out)
expect("ja: libweft-sqlite reports a database it cannot open in Japanese", code == 0 and "sqlite: データベース /nonexistent-weft-folder/history.sqlite を開けませんでした" in out, out)
code, out = run([CHAT_SERVER, "--help"], "ja")
expect("ja: the chat server's --help is translated", code == 0 and "Weft チャットサーバー: TCP、TLS、WebSocket 経由の IRC" in out and "PING に応答しないクライアントを切断する" in out, out)
code, out = run([HELPER])
expect("C.UTF-8: the libraries' messages stay in English", code == 0 and "irc: The IRC line has message tags but no command" in out, out)

code, out = run([HELLO, "--help"], "de")
expect("de: --help shows the Weft options, translated", "Die Backends der Ereignisschleife auflisten und beenden" in out, out)
code, out = run([RUN, "--timeout=-1", "--", "true"], "de")
expect("de: --timeout=-1 is refused with a translated message", code == 2 and "--timeout muss" in out, out)

code, out = run([HELLO, "--help"])
expect("C.UTF-8: --reactor and --list-reactors appear in --help", "--reactor=NAME" in out and "--list-reactors" in out, out)
expect("C.UTF-8: the em dash survives (setlocale was called)", "— print a few ticks" in out and "?" not in out, out)
code, out = run([RUN, "--timeout=-1", "--", "true"])
expect("C.UTF-8: --timeout=-1 is refused", code == 2 and "--timeout must be a number of seconds" in out, out)
code, out = run([RUN, "--timeout=nan", "--", "true"])
expect("C.UTF-8: --timeout=nan is refused", code == 2, out)

print(f"1..{15}")
sys.exit(1 if failures else 0)
