# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# The Debian packages of the project, sourced by scripts/test (all of them)
# and scripts/run-demo (what the build needs).

# To configure and build every library, the chat server and client.
build_packages=(
  gcc libc6-dev meson ninja-build pkg-config git gettext
  libglib2.0-dev libgtk-4-dev libsoup-3.0-dev libgnutls28-dev
  libsqlite3-dev libyaml-dev libadwaita-1-dev libsecret-1-dev
  libglib2.0-bin desktop-file-utils
)

# To check and test everything.
test_packages=(
  clang-format appstream imagemagick
  # A real IRC server to test the IRC library and the chat against.
  ngircd
  # The sqlite3 program holds a database locked from another process.
  sqlite3
  # A real browser for the WebSocket and chat-page tests.
  chromium chromium-driver python3-selenium
  # libFuzzer targets, replayed over their corpora.
  clang libfuzzer-14-dev libclang-rt-14-dev
  # A display and a private session bus for the GTK and GApplication tests,
  # and a Japanese font, so that the screenshots of the Japanese UI that the
  # tests take show its text rather than empty boxes.
  xvfb xauth dbus-daemon fonts-ipafont-gothic
  # The peers that the benchmarks' smoke tests measure against.
  libevent-dev libuv1-dev python3-twisted python3-gi python3-gi-cairo gir1.2-gtk-4.0
  # Introspection (Weft-1.0.gir and the libraries', typelibs), the Vala API and the API
  # reference; WeftSoup-1 includes Soup-3.0.
  gobject-introspection libgirepository1.0-dev valac gi-docgen gir1.2-soup-3.0
)
