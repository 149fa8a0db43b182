#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Twisted echo server for the benchmarks (Debian's python3-twisted).

    echo_twisted.py --reactor epoll|gi --port P [--gtk [--gtk-delay S] [--gtk-seconds S]]

The protocol is Twisted's own echo: dataReceived writes what it got. With
--gtk (gi reactor only) a GTK 4 window with a tick callback shares the main
loop with the server, and the frame statistics are printed on stdout as in
echo-weft --gtk.
"""

import argparse
import resource
import sys
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reactor", choices=["epoll", "gi"], default="epoll")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--gtk", action="store_true", help="add a GTK 4 window (gi reactor)")
    parser.add_argument("--gtk-delay", type=float, default=1.5, help="seconds after the first frame before measuring")
    parser.add_argument("--gtk-seconds", type=float, default=3.0, help="seconds of frame measurement")
    return parser.parse_args()


class FrameMeter:
    """Counts frames of a GTK 4 widget's tick callback and the longest time
    the main loop could not serve a source at GTK's redraw priority."""

    def __init__(self, reactor, GLib, Gtk, delay, seconds):
        self.GLib = GLib
        self.reactor = reactor
        self.delay = delay
        self.seconds = seconds
        self.first_tick = None
        self.start = self.end = None
        self.frames = 0
        self.last_tick = None
        self.max_frame_gap = 0
        self.last_probe = None
        self.max_probe_gap = 0
        self.last_probe_cpu = None
        self.max_probe_busy = 0
        self.done = False

        self.area = Gtk.DrawingArea()
        self.area.set_content_width(320)
        self.area.set_content_height(240)
        self.area.set_draw_func(self.draw)
        self.window = Gtk.Window(title="weft bench")
        self.window.set_child(self.area)
        self.area.add_tick_callback(self.tick)
        # GDK_PRIORITY_REDRAW: the priority at which GTK paints.
        GLib.timeout_add(1, self.probe, priority=GLib.PRIORITY_HIGH_IDLE + 20)
        self.window.present()

    def draw(self, area, cr, width, height, *data):
        shade = (self.frames % 60) / 60.0
        cr.set_source_rgb(shade, 0.4, 1.0 - shade)
        cr.paint()

    def tick(self, widget, frame_clock):
        now = self.GLib.get_monotonic_time()
        if self.first_tick is None:
            self.first_tick = now
            self.start = now + int(self.delay * 1e6)
            self.end = self.start + int(self.seconds * 1e6)
        if self.start <= now < self.end:
            self.frames += 1
            if self.last_tick is not None and self.last_tick >= self.start:
                self.max_frame_gap = max(self.max_frame_gap, now - self.last_tick)
        elif now >= self.end and not self.done:
            self.report(now)
        self.last_tick = now
        widget.queue_draw()
        return True

    def probe(self):
        now = self.GLib.get_monotonic_time()
        cpu = time.thread_time_ns() // 1000
        if self.start is not None and self.start <= now < self.end and self.last_probe is not None:
            self.max_probe_gap = max(self.max_probe_gap, now - self.last_probe)
            self.max_probe_busy = max(self.max_probe_busy, cpu - self.last_probe_cpu)
        self.last_probe = now
        self.last_probe_cpu = cpu
        return True

    def report(self, now):
        self.done = True
        elapsed = (now - self.start) / 1e6
        print(
            "mode=gtk frames=%d seconds=%.3f fps=%.1f max_frame_gap_ms=%.1f max_stall_ms=%.1f max_busy_stall_ms=%.1f"
            % (
                self.frames,
                elapsed,
                self.frames / elapsed,
                self.max_frame_gap / 1000.0,
                max(0.0, self.max_probe_gap / 1000.0 - 1.0),
                self.max_probe_busy / 1000.0,
            ),
            flush=True,
        )


def main():
    args = parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    if args.reactor == "epoll":
        if args.gtk:
            sys.exit("echo_twisted.py: --gtk needs --reactor gi")
        from twisted.internet import epollreactor

        epollreactor.install()
    else:
        import gi

        gi.require_version("Gtk", "4.0")
        from twisted.internet import gireactor

        gireactor.install()

    from twisted.internet import protocol, reactor

    class Echo(protocol.Protocol):
        def connectionMade(self):
            self.transport.setTcpNoDelay(True)

        def dataReceived(self, data):
            self.transport.write(data)

    factory = protocol.Factory.forProtocol(Echo)
    reactor.listenTCP(args.port, factory, backlog=1024, interface="127.0.0.1")

    if args.gtk:
        from gi.repository import GLib, Gtk

        Gtk.init()
        reactor.callWhenRunning(FrameMeter, reactor, GLib, Gtk, args.gtk_delay, args.gtk_seconds)
    reactor.run()


if __name__ == "__main__":
    main()
