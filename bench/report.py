#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turns the results of bench/run.py into BENCHMARKS.md and benchmarks.png.

    report.py RESULTS.json --output DIR

Every number in the report comes from RESULTS.json: medians over the runs,
ratios taken per run against the floor of the same run. The text of
bench/findings.md (what profiling taught) is copied in as it is.
"""

import argparse
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# The reference ratios to the floor (100 connections, 64 B), measured
# on the same kind of machine; shown beside ours, never used as results.
REFERENCE = {
    "floor": 1.00,
    "libevent": 0.73,
    "libuv": 0.71,
    "gio": 0.53,
    "twisted-epoll": 0.31,
    "twisted-gi": 0.10,
}
WEFT_BACKENDS = ["epoll", "poll", "select", "glib"]
CHAT_LABELS = {"weft-chat-server": "weft-chat-server", "ngircd": "ngircd", "inspircd": "InspIRCd"}
ECHO_TARGETS = {"weft-epoll": 0.95, "weft-poll": 0.85, "weft-select": 0.85, "weft-glib": 0.85}
LABELS = {
    "floor": "floor (hand-written epoll loop)",
    "weft-epoll": "Weft, epoll",
    "weft-poll": "Weft, poll",
    "weft-select": "Weft, select",
    "weft-glib": "Weft, glib",
    "weft-epoll-nohost": "Weft, epoll, GLib hosting off",
    "libevent": "libevent 2.1 (bufferevents)",
    "libuv": "libuv",
    "gio": "GIO (GSocketService, async streams)",
    "twisted-epoll": "Twisted, epoll reactor",
    "twisted-gi": "Twisted, gi reactor",
}
ORDER = list(LABELS)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def per_server(runs, key=None):
    """{server: [value per run]} from [{server: value or {key: value}}]."""
    table = {}
    for run in runs:
        for server, value in run.items():
            if key is not None:
                value = value.get(key) if isinstance(value, dict) else None
            table.setdefault(server, []).append(value)
    return table


def ratios_to_floor(runs):
    """{server: [value / floor of the same run]}."""
    table = {}
    for run in runs:
        floor = run.get("floor")
        if not floor:
            continue
        for server, value in run.items():
            table.setdefault(server, []).append(value / floor)
    return table


def ordered(names):
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def fmt(value, digits=0, unit=""):
    if value is None:
        return "—"
    if digits == 0:
        return "{:,.0f}{}".format(value, unit)
    return "{:,.{}f}{}".format(value, digits, unit)


def spread(values, digits=0):
    values = [v for v in values if v is not None]
    if len(values) < 2:
        return ""
    return "{} – {}".format(fmt(min(values), digits), fmt(max(values), digits))


def verdict(ok):
    if ok is None:
        return "not measured"
    return "**met**" if ok else "**missed**"


class Report:
    def __init__(self, document):
        self.doc = document
        self.results = document["results"]
        self.notes = document.get("notes", {})
        self.lines = []
        self.targets = []

    def out(self, text=""):
        self.lines.append(text)

    def table(self, header, rows):
        self.out("| " + " | ".join(header) + " |")
        self.out("|" + "|".join(" --- " if i == 0 else " ---: " for i in range(len(header))) + "|")
        for row in rows:
            self.out("| " + " | ".join(str(cell) for cell in row) + " |")
        self.out()

    def group_notes(self, group):
        for key, note in sorted(self.notes.get(group, {}).items()):
            self.out("- %s: %s" % (LABELS.get(key, key), note))
        if self.notes.get(group):
            self.out()

    def section(self, group, title, notes_if_missing=False):
        """Writes the section's heading and returns the group's runs; without
        any, says so (with the group's notes if asked) and returns None."""
        runs = self.results.get(group)
        self.out("## %s" % title)
        self.out()
        if not runs:
            self.out("Not measured in this run.")
            self.out()
            if notes_if_missing:
                self.group_notes(group)
            return None
        return runs

    # --- sections --------------------------------------------------------

    def header(self):
        facts = self.doc["facts"]
        versions = facts.get("versions", {})
        self.out("# Benchmarks")
        self.out()
        self.out("Written by `scripts/bench` from a real run; no number here is typed by hand. "
                 "To refresh it, run `scripts/bench` again (about twenty minutes on two cores).")
        self.out()
        self.table(["", ""], [
            ["date", facts["date"]],
            ["machine", "%s, %d CPUs (%s MHz), %s GiB RAM" % (facts["cpu"], facts["cpus"], facts.get("cpu_mhz", "?"),
                                                             facts.get("memory_gib"))],
            ["system", "%s, Debian %s" % (facts["kernel"], facts.get("debian", "?"))],
            ["software", "GLib %s, GTK %s, libevent %s, libuv %s, Twisted %s (Python %s), gcc %s" % (
                versions.get("glib-2.0", "?"), versions.get("gtk4", "?"), versions.get("libevent") or "absent",
                versions.get("libuv") or "absent", versions.get("twisted") or "absent", versions.get("python", "?"),
                versions.get("gcc", "?"))],
            ["Weft", "commit %s, built with `-Dbuildtype=release`" % facts.get("commit", "?")],
            ["runs", "%d of each measurement (%d of the 100-connection ping-pong, %d of the memory one); tables "
                     "show the median and the range over the runs" % (
                         facts["runs"], facts.get("echo_runs", facts["runs"]), facts.get("memory_runs", 1))],
            ["pinning", "servers on CPU 0, load generator on CPU 1 (`taskset`)" if facts.get("pinned")
             else "none"],
            ["load average", "%.2f at the start, %.2f at the end (other work on the machine adds noise)" % (
                facts["loadavg_start"][0], facts["loadavg_end"][0])],
            ["duration", "%.0f s for the measurements" % facts["seconds"]],
        ])

    def method(self):
        self.out("## How it is measured")
        self.out()
        self.out("- **Load generator** (`bench/loadgen.c`): its own process, plain C on epoll. Ping-pong keeps "
                 "exactly one 64-byte message in flight on each connection and sends the next one as soon as the "
                 "echo is complete; after a warm-up it counts round trips. Bulk streams 1 GiB over one connection "
                 "with at most 256 KiB sent and not yet echoed. Idle opens connections, has each echo one byte "
                 "(so the server has accepted it and built its per-connection state) and reads the server's "
                 "`VmRSS` from `/proc/PID/status` before and after.")
        self.out("- **Servers**, one process each, started afresh for every measurement: the floor "
                 "(`bench/echo-floor.c`, the least an epoll echo loop can do), Weft on each backend through "
                 "`weft_reactor_listen_tcp()` and a `WeftProtocol` whose `data_received` writes to its transport "
                 "(`bench/echo-weft.c`), libevent bufferevents, libuv streams, GIO's `GSocketService` with "
                 "`g_input_stream_read_async()` / `g_output_stream_write_all_async()`, and Twisted's `Protocol` "
                 "on its epoll and gi reactors (`bench/echo_twisted.py`). Every server sets `TCP_NODELAY`.")
        self.out("- **CPU time**: the load generator also reads the server's CPU time (user + system, "
                 "`/proc/PID/stat`) over the measurement. Work per server CPU-second is what other load on this "
                 "shared machine disturbs least; the rate is what the issue's targets are written in.")
        self.out("- **Interleaving**: run 1 of every server, then run 2, and so on, so that a burst of other "
                 "activity on the machine hits every server alike. A ratio to the floor is computed within each "
                 "run, and the table shows the median of those ratios.")
        self.out("- **GTK**: Xvfb, `GSK_RENDERER=cairo` (GL under Xvfb is llvmpipe, which would compete with the "
                 "load generator for the two CPUs). The window has a 320×240 drawing area repainted from a tick "
                 "callback. *Frames per second* count tick callbacks; the *longest stall* is the longest time "
                 "a 1 ms timeout at GTK's redraw priority (`GDK_PRIORITY_REDRAW`) waited beyond its 1 ms: how long "
                 "the main loop could not have painted. The verdicts use this wall-clock stall.")
        self.out()

    def targets_section(self):
        self.out("## Targets")
        self.out()
        if self.targets:
            self.table(["target", "measured", "verdict"], self.targets)
        else:
            self.out("No target could be checked in this run.")
            self.out()

    def echo(self, group, title, connections):
        runs = self.section(group, title, notes_if_missing=True)
        if not runs:
            return
        values = per_server(runs)
        ratios = ratios_to_floor(runs)
        cpu_runs = self.results.get(group + "_cpu", [])
        cpu_values = per_server(cpu_runs)
        cpu_ratios = ratios_to_floor(cpu_runs)
        rows = []
        for server in ordered(values):
            row = [LABELS.get(server, server), fmt(median(values[server])), spread(values[server]),
                   fmt(median(ratios.get(server, [])), 2), fmt(median(cpu_values.get(server, []))),
                   fmt(median(cpu_ratios.get(server, [])), 2)]
            if connections == 100:
                row.append(fmt(REFERENCE.get(server), 2))
            rows.append(row)
            target = ECHO_TARGETS.get(server)
            if target is not None and connections == 100:
                ratio = median(ratios.get(server, []))
                cpu_ratio = median(cpu_ratios.get(server, []))
                self.targets.append(["%s ≥ %.2f of the floor (100 connections)" % (LABELS[server], target),
                                     "%s (per server CPU-second: %s)" % (fmt(ratio, 2), fmt(cpu_ratio, 2)),
                                     verdict(None if ratio is None else ratio >= target)])
        header = ["server", "round trips/s", "range", "ratio to floor", "round trips per server CPU-second",
                  "ratio to floor per CPU-second"]
        if connections == 100:
            header.append("issue's reference ratio")
        self.table(header, rows)
        self.group_notes(group)

    def bulk(self):
        runs = self.section("bulk", "2. Bulk: 1 GiB through one connection")
        if not runs:
            return
        values = per_server(runs)
        ratios = ratios_to_floor(runs)
        cpu_values = per_server(self.results.get("bulk_cpu", []))
        self.table(["server", "MB/s", "range", "ratio to floor", "MB per server CPU-second"], [
            [LABELS.get(s, s), fmt(median(values[s]), 1), spread(values[s], 1), fmt(median(ratios.get(s, [])), 2),
             fmt(median(cpu_values.get(s, [])), 1)]
            for s in ordered(values)
        ])
        self.group_notes("bulk")

    def timers(self):
        runs = self.section("timers", "3. Timers: 1,000,000 timers, random delays, half cancelled, the rest fired")
        if not runs:
            return
        self.out("Delays are random whole milliseconds in [0, 250); a random half is cancelled before the loop "
                 "runs; the rest fire. CPU time of the process divided by 2,000,000 operations (one schedule, "
                 "one cancel or one fire each). Weft runs on its epoll backend without GLib hosting.")
        self.out()
        values = per_server(runs)
        self.table(["library", "ns per operation", "range"], [
            [name, fmt(median(values[name]), 1), spread(values[name], 1)]
            for name in ["weft", "libevent", "libuv"] if name in values
        ])
        if "weft" in values and "libuv" in values:
            weft, libuv = median(values["weft"]), median(values["libuv"])
            self.targets.append(["timers at least as fast as libuv", "Weft %s ns/op, libuv %s ns/op" % (
                fmt(weft, 1), fmt(libuv, 1)), verdict(weft <= libuv)])
        self.group_notes("timers")

    def threads(self):
        runs = self.section("threads", "4. call_from_thread")
        if not runs:
            return
        self.out("Throughput: 4 threads each queue 250,000 calls with `weft_reactor_call_from_thread()` while "
                 "the reactor runs them. Wake-up latency: one thread queues one call at a time into a sleeping "
                 "reactor (200 µs apart) and times it until it runs; 2,000 samples. GLib hosting on.")
        self.out()
        rows = []
        for backend in WEFT_BACKENDS:
            if backend not in runs[0]:
                continue
            rows.append([backend,
                         fmt(median(per_server(runs, "calls_per_sec").get(backend, []))),
                         fmt(median(per_server(runs, "median_us").get(backend, [])), 1),
                         fmt(median(per_server(runs, "p99_us").get(backend, [])), 1)])
        self.table(["backend", "calls/s (4 threads)", "latency median (µs)", "latency p99 (µs)"], rows)
        self.group_notes("threads")

    def deferred(self):
        runs = self.section("deferred", "5. Deferred")
        if not runs:
            return
        values = per_server(runs)
        descriptions = {
            "create-callback-fire": "create + add callback + fire",
            "chain-3": "3-stage chain (+ a final callback)",
            "fired-then-callback": "callback added to a fired deferred",
            "callback-returns-fired": "callback returns a fired deferred",
            "callback-returns-pending": "callback returns a pending deferred",
        }
        self.table(["benchmark", "operations/s", "range"], [
            [descriptions.get(name, name), fmt(median(values[name])), spread(values[name])]
            for name in descriptions if name in values
        ])
        self.group_notes("deferred")

    def irc(self):
        runs = self.section("irc", "5b. IRC messages: parse and serialize")
        if not runs:
            return
        values = per_server(runs)
        self.out("`bench/bench-irc-parse`: eight typical lines of a busy IRCv3 channel (seven with `time`, `msgid` "
                 "and `account` tags, a `PING`), about 125 bytes each. The floor is a plain `strtok_r` splitter into "
                 "fixed arrays and a `memcpy` writer: no allocation, no tag unescaping, no validation.")
        self.out()
        rows = [
            ("irc/parse", "libweft-irc: parse (and free)"),
            ("irc/serialize", "libweft-irc: serialize a parsed message"),
            ("irc/parse-serialize", "libweft-irc: parse + serialize"),
            ("irc/format-parse", "libweft-irc: formatting codes into spans"),
            ("floor/strtok-parse", "floor: strtok-style parse"),
            ("floor/memcpy-serialize", "floor: memcpy serialize"),
        ]
        self.table(["benchmark", "messages/s", "range"], [
            [label, fmt(median(values[name])), spread(values[name])] for name, label in rows if name in values
        ])
        self.group_notes("irc")

    def memory(self):
        runs = self.section("memory", "6. Scale and memory: 10,000 idle connections", notes_if_missing=True)
        if not runs:
            return
        self.out("Growth of the server's resident memory (`VmRSS`) from before the first connection to after "
                 "the 10,000th, divided by 10,000 (%d run%s: it hardly varies). Kernel socket buffers are not part "
                 "of it. The select backend is limited to `FD_SETSIZE` descriptors, and GIO is not part of this "
                 "comparison." % (self.doc["facts"].get("memory_runs", 1),
                                  "" if self.doc["facts"].get("memory_runs", 1) == 1 else "s"))
        self.out()
        per_conn = per_server(runs, "bytes_per_connection")
        before = per_server(runs, "rss_before_kb")
        after = per_server(runs, "rss_after_kb")
        self.table(["server", "bytes per connection", "RSS before (KiB)", "RSS after (KiB)"], [
            [LABELS.get(s, s), fmt(median(per_conn[s])), fmt(median(before[s])), fmt(median(after[s]))]
            for s in ordered(per_conn)
        ])
        libevent = median(per_conn.get("libevent", []))
        for server in ["weft-epoll", "weft-poll", "weft-glib"]:
            if server in per_conn and libevent is not None:
                value = median(per_conn[server])
                self.targets.append(["%s: memory per idle connection below libevent's" % LABELS[server],
                                     "%s B vs %s B" % (fmt(value), fmt(libevent)), verdict(value < libevent)])
        self.group_notes("memory")

    def hosting(self):
        runs = self.results.get("echo100")
        self.out("## 7. GLib hosting cost")
        self.out()
        if not runs or not any("weft-epoll-nohost" in run and "weft-epoll" in run for run in runs):
            self.out("Not measured in this run (needs Weft's epoll echo server with and without hosting).")
            self.out()
            return
        self.out("The epoll echo server of section 1 (100 connections), with the default GLib hosting and with "
                 "`WEFT_REACTOR_FLAGS_NO_GLIB_HOSTING` (`--no-hosting`), same runs; the cost is taken per run. "
                 "The rate is at the mercy of other work on the machine; the CPU-second and instruction figures "
                 "are the steadier measures of what hosting costs.")
        self.out()
        rows = []
        for label, group, digits in [("round trips/s", "echo100", 0),
                                     ("round trips per server CPU-second", "echo100_cpu", 0)]:
            pairs = [(run["weft-epoll"], run["weft-epoll-nohost"]) for run in self.results.get(group, [])
                     if "weft-epoll" in run and "weft-epoll-nohost" in run]
            if not pairs:
                continue
            cost = [100 * (1 - on / off) for on, off in pairs]
            rows.append([label, fmt(median([p[0] for p in pairs]), digits), fmt(median([p[1] for p in pairs]), digits),
                         fmt(median(cost), 1, " %"), spread(cost, 1)])
        profile = self.results.get("profile")
        if profile and "weft-epoll" in profile[0] and "weft-epoll-nohost" in profile[0]:
            on = profile[0]["weft-epoll"]["instructions_per_round_trip"]
            off = profile[0]["weft-epoll-nohost"]["instructions_per_round_trip"]
            rows.append(["user-space instructions per round trip (profile, 10 connections)", fmt(on), fmt(off),
                         fmt(100 * (on / off - 1), 1, " % more"), ""])
        self.table(["measure", "hosting on (default)", "hosting off", "cost of hosting (median)",
                    "range of the cost"], rows)

    def idle(self):
        runs = self.section("idle", "8. Idle wake-ups")
        if not runs:
            return
        self.out("A reactor with GLib hosting on, one fd watch on a quiet socket and one timer an hour away, "
                 "left alone. Two independent counts per second: the reactor's own wake-up counter "
                 "(`weft_reactor_get_wakeup_count()`) and the thread's voluntary context switches "
                 "(`getrusage (RUSAGE_THREAD)`), less the one wake-up for the timer that ends the measurement.")
        self.out()
        wakeups = per_server(runs, "wakeups_per_sec")
        sleeps = per_server(runs, "sleeps_per_sec")
        seconds = per_server(runs, "seconds")
        rows = []
        for backend in WEFT_BACKENDS:
            if backend not in wakeups:
                continue
            rows.append([backend, fmt(max(wakeups[backend]), 2), fmt(max(sleeps[backend]), 2),
                         fmt(sum(seconds[backend]), 1)])
        self.table(["backend", "wake-ups/s (worst run)", "context switches/s (worst run)", "seconds observed"],
                   rows)
        worst = max(max(values) for values in wakeups.values())
        worst_sleeps = max(max(values) for values in sleeps.values())
        self.targets.append(["zero idle wake-ups, every backend",
                             "worst %s wake-ups/s, %s context switches/s" % (fmt(worst, 2), fmt(worst_sleeps, 2)),
                             verdict(worst == 0 and worst_sleeps == 0)])

    def sqlite(self):
        runs = self.section("sqlite", "10. SQLite pool: WeftSqlitePool against direct calls, and reactor stalls")
        if not runs:
            return
        self.out("`bench/bench-sqlite`: small rows (an integer and two short strings) inserted into a WAL database "
                 "on disk (see the database directory below), with `synchronous=NORMAL` (the pool's default: a "
                 "commit does not wait for the disk, a checkpoint does) and `synchronous=FULL` (every commit waits "
                 "for an fsync). Direct: `sqlite3` calls on one thread, one row per transaction, or 100 per "
                 "transaction. Pool: one `run_operation` per row (up to 256 in flight), or 100 rows per "
                 "`run_interaction` (up to 4 in flight), counted until the last deferred fired in the reactor's "
                 "thread (epoll backend). Each measurement stops after 50,000 rows or about 2 s.")
        self.out()
        values = per_server(runs, "rows_per_sec")
        names = [("pool/batched", "pool, 100 rows per `run_interaction`"),
                 ("pool/single", "pool, one `run_operation` per row"),
                 ("direct/batched", "direct, 100 rows per transaction"),
                 ("direct/single", "direct, one row per transaction")]
        rows = []
        for name, label in names:
            row = [label]
            for mode in ["normal", "full"]:
                key = "inserts/%s/%s" % (mode, name)
                row += [fmt(median(values.get(key, []))), spread(values.get(key, []))]
            rows.append(row)
        self.table(["inserts", "rows/s, NORMAL", "range", "rows/s, FULL", "range"], rows)

        self.out("Reactor stalls: a 1 ms periodic timer on the reactor's thread records how late each tick runs "
                 "(its lateness: how long after it was due it ran), for about 1.2 s each, back to back on the same "
                 "reactor: with nothing written (**idle floor**: what the machine itself costs), while batches "
                 "of 100 rows are written without pause **through the pool** (`run_interaction`, 4 in flight), "
                 "while single rows are written without pause through the pool (`run_operation`, 256 in "
                 "flight: many small results to hand back), and while the same batches are written **on the "
                 "reactor's thread** (one batch per callback). *Longest* is the worst run's; *p99* the median "
                 "over runs of the 99th percentile. *Pool − floor* is the pool's longest stall less the idle "
                 "floor's, within each run (median over runs). *Worst pool tick* splits the interval that "
                 "ended in the pool's longest stall (worst run) by the kernel's accounting of the reactor's "
                 "thread (`/proc/thread-self/schedstat`): time it ran on a CPU, and time it was runnable but "
                 "waiting for a CPU, taken by other threads and processes; the rest of the interval it slept.")
        self.out()
        self.out("**Peer**: beside every phase, a bare thread of the same process (no Weft, no main loop) sleeps to "
                 "absolute 1 ms ticks with `clock_nanosleep` and records its lateness the same way, over the same "
                 "interval. It shares the machine with the reactor's thread at the same moment: the same other "
                 "processes, the same writer thread competing for the two CPUs, the same disk, and the same "
                 "timer interrupts, which a virtual machine may deliver late when the host does not run its "
                 "virtual CPUs. What the peer sees is therefore what the machine under that load does to a "
                 "thread that does nothing but wait for a timer; what the reactor's thread sees beyond it is "
                 "Weft's and the pool's.")
        self.out()
        self.out("Target: the pool's longest stall under 2 ms; where the peer's longest in the same phase of "
                 "the same run is itself 2 ms or more, the pool's longest within 1 ms of the peer's "
                 "(*peer-bound*). Judged on the run with the pool's longest stall; the *met* column says which "
                 "applied.")
        self.out()
        maxima = per_server(runs, "max_us")
        p99s = per_server(runs, "p99_us")
        cpu = per_server(runs, "max_cpu_us")
        wait = per_server(runs, "max_wait_us")
        peer_maxima = per_server(runs, "peer_max_us")
        peer_p99s = per_server(runs, "peer_p99_us")
        written = per_server(runs, "rows_per_sec")

        def ms(value, digits=1):
            return fmt(value / 1000.0 if value is not None else None, digits)

        def cell(key, maxima=maxima, p99s=p99s):
            values = [v for v in maxima.get(key, []) if v is not None]
            if not values:
                return "—"
            return "%s / %s" % (ms(max(values)), ms(median([v for v in p99s[key] if v is not None])))

        rows = []
        verdicts = []
        for mode in ["normal", "full"]:
            for backend in ["select", "poll", "epoll", "glib"]:
                base = "stall/%s/%s/" % (mode, backend)
                if base + "pool" not in maxima or base + "idle" not in maxima:
                    continue
                pool = max(maxima[base + "pool"])
                gaps = [p - f for p, f in zip(maxima[base + "pool"], maxima[base + "idle"])]
                gap = median(gaps)
                worst = maxima[base + "pool"].index(pool)
                # The peer of the same run, beside the same phase.
                peers = peer_maxima.get(base + "pool", [])
                peer = peers[worst] if worst < len(peers) else None
                if pool < 2000:
                    ok, met = True, "**met** (< 2 ms)"
                elif peer is not None and peer >= 2000 and pool - peer <= 1000:
                    ok, met = True, "**met** (peer-bound: within 1 ms of the peer's %s ms)" % ms(peer)
                elif peer is not None and peer >= 2000:
                    ok, met = False, "**missed** (%s ms above the peer)" % ms(pool - peer)
                else:
                    ok, met = False, "**missed**"
                verdicts.append((ok, pool, None if peer is None else pool - peer))
                rows.append([backend, mode.upper(), cell(base + "idle"), cell(base + "pool"),
                             cell(base + "pool", peer_maxima, peer_p99s),
                             ms(gap), "%s / %s" % (ms(cpu[base + "pool"][worst], 2), ms(wait[base + "pool"][worst])),
                             cell(base + "pool-single"), cell(base + "pool-single", peer_maxima, peer_p99s),
                             cell(base + "reactor-thread"), cell(base + "reactor-thread", peer_maxima, peer_p99s),
                             fmt(median(written.get(base + "pool", []))),
                             fmt(median(written.get(base + "reactor-thread", []))),
                             "< 2 ms, or peer + 1 ms", met])
        self.table(["backend", "synchronous", "idle floor: longest / p99 (ms)", "pool: longest / p99 (ms)",
                    "peer beside the pool: longest / p99 (ms)",
                    "pool − floor (ms)", "worst pool tick: on CPU / waiting for a CPU (ms)",
                    "pool, one row per call: longest / p99 (ms)", "peer beside it: longest / p99 (ms)",
                    "on the reactor's thread: longest / p99 (ms)", "peer beside it: longest / p99 (ms)",
                    "rows/s through the pool", "rows/s on the reactor's thread", "target", "met"], rows)
        if verdicts:
            worst_pool = max(v[1] for v in verdicts) / 1000.0
            above = [v[2] for v in verdicts if v[2] is not None]
            self.targets.append(["reactor stall under sustained SQLite writes through the pool < 2 ms "
                                 "(or within 1 ms of a bare peer thread's longest in the same phase, where that is "
                                 "itself 2 ms or more), every backend, NORMAL and FULL",
                                 "longest %s ms; at most %s ms above the peer" % (
                                     fmt(worst_pool, 1), fmt(max(above) / 1000.0, 1) if above else "—"),
                                 verdict(all(v[0] for v in verdicts))])
        self.group_notes("sqlite")

    def chat_fanout(self):
        runs = self.section("chat-fanout", "11. Chat server fan-out: weft-chat-server against ngircd and InspIRCd",
                            notes_if_missing=True)
        if not runs:
            return
        first = next(iter(runs[0].values()), {})
        self.out("`bench/chat_bench.py` with `bench/chat-loadgen` (plain C on epoll): %s receivers in one channel, "
                 "one sender sending %s messages as fast as the server reads them (at most 64 messages ahead of "
                 "the receivers on average). Every server on 127.0.0.1 with the same limits: no flood penalty, "
                 "64 MiB send queues; weft-chat-server on the epoll backend with its history in SQLite (every "
                 "message is committed before it is delivered); ngircd and InspIRCd are the Debian packages. "
                 "Server CPU is user+system time of the whole server process (all its threads) during the "
                 "fan-out only, read from `/proc/PID/stat` the same way for every server; the load generator's "
                 "own CPU time is shown beside it. Nothing is pinned: server and load generator share the two "
                 "CPUs, and the load generator, reading every receiver's socket, uses most of one, so the rate "
                 "is a floor and CPU per delivery is the fairer comparison." % (
                     fmt(first.get("receivers")), fmt(first.get("messages"))))
        self.out()
        rates = per_server(runs, "deliveries_per_s")
        cpu = per_server(runs, "server_cpu_us_per_delivery")
        loadgen = per_server(runs, "loadgen_cpu_us_per_delivery")
        rows = []
        for name in CHAT_LABELS:
            if name not in rates:
                continue
            rows.append([CHAT_LABELS[name], fmt(median(rates[name])), spread(rates[name]),
                         fmt(median(cpu[name]), 3, " µs"), spread(cpu[name], 3),
                         fmt(median(loadgen.get(name, [])), 3, " µs")])
        self.table(["server", "deliveries/s (median)", "range", "server CPU per delivery (median)", "range",
                    "load generator CPU per delivery"], rows)
        weft = "weft-chat-server"
        peers = [name for name in ["ngircd", "inspircd"] if name in rates]
        measured = [name for name in [weft] + peers if median(rates[name]) and median(cpu[name])]
        if weft in measured and len(measured) == len(peers) + 1:
            rate_ratio = min(median(rates[weft]) / median(rates[p]) for p in peers)
            cpu_ratio = max(median(cpu[weft]) / median(cpu[p]) for p in peers)
            self.targets.append(["chat fan-out: weft-chat-server ≥ 10 % ahead of ngircd and InspIRCd (medians)",
                                 "rate %s the better peer's, CPU per delivery %s" % (
                                     fmt(100 * abs(rate_ratio - 1), 0, " % above" if rate_ratio >= 1 else " % below"),
                                     fmt(100 * abs(1 - cpu_ratio), 0, " % below" if cpu_ratio <= 1 else " % above")),
                                 verdict(rate_ratio >= 1.1 and cpu_ratio <= 1 / 1.1)])
        self.group_notes("chat-fanout")

    def soup(self):
        runs = self.section("soup", "12. libweft-soup against plain libsoup, and GLib hosting with many GLib fds",
                            notes_if_missing=True)
        if not runs:
            return
        self.out("`bench/bench-soup`: client and server in one single-threaded process, one process per "
                 "measurement, runs interleaved. *WebSocket echo*: `WeftSoupServer` with a `WeftProtocol` echoing "
                 "through a `WeftWebsocketTransport`, 100 clients from `weft_websocket_connect()`, each keeping one "
                 "64-byte binary message in flight; against a `SoupServer` WebSocket handler and "
                 "`soup_session_websocket_connect_async()` clients on a `GMainLoop`. *HTTP GET keep-alive*: "
                 "`WeftSoupServer` and `weft_soup_get()` Deferreds, 4 requests in flight on 4 keep-alive "
                 "connections; against `SoupServer` and `soup_session_send_and_read_async()`. Client and server "
                 "share the process, so its own CPU time (user + system) is the work of both sides: the rate per "
                 "CPU-second is the steadier figure and the one the targets are judged on.")
        self.out()
        values = per_server(runs)

        def cpu(key):
            return median([v["cpu_rate"] for v in values.get(key, [])])

        def rate(key):
            return median([v["rate"] for v in values.get(key, [])])

        rows = []
        ratios = {"ws-echo": {}, "http-get": {}}
        for impl, backend in [("weft", b) for b in WEFT_BACKENDS] + [("plain", "glib")]:
            cells = ["Weft bridge, %s" % backend if impl == "weft" else "plain libsoup (GMainLoop)"]
            for mode in ("ws-echo", "http-get"):
                key, plain = "%s/%s/%s" % (mode, impl, backend), "%s/plain/glib" % mode
                ratio = cpu(key) / cpu(plain) if cpu(key) and cpu(plain) else None
                if impl == "weft" and ratio is not None:
                    ratios[mode][backend] = ratio
                cells += [fmt(rate(key)), fmt(cpu(key)), fmt(ratio, 2)]
            rows.append(cells)
        self.table(["through", "WebSocket echo, round trips/s", "per CPU-second",
                    "ratio to plain libsoup (per CPU-second)", "HTTP GET keep-alive, requests/s", "per CPU-second",
                    "ratio to plain libsoup (per CPU-second)"], rows)
        for mode, label in [("ws-echo", "WebSocket echo"), ("http-get", "HTTP GET keep-alive")]:
            for backend, ratio in ratios[mode].items():
                self.targets.append(["%s through the bridge ≥ 0.9 of plain libsoup (per CPU-second), %s" % (
                    label, backend), fmt(ratio, 2), verdict(ratio >= 0.9)])

        self.out("*Hosting*: one Weft ping-pong over a socket pair, with no GLib fds and with 1,000 idle GLib fd "
                 "sources (`g_unix_fd_add()`) beside it, on the epoll backend (which hosts GLib's main context) "
                 "and on the glib backend (which runs inside it). A round trip is two reactor iterations, one per "
                 "side; the cost per iteration added by the 1,000 fds is the difference in time per iteration.")
        self.out()
        rows, costs = [], {}
        for backend, label in [("epoll", "epoll (GLib hosted)"), ("glib", "glib")]:
            bare, loaded = cpu("hosting/weft/%s/0" % backend), cpu("hosting/weft/%s/1000" % backend)
            if not bare or not loaded:
                continue
            costs[backend] = (1e6 / loaded - 1e6 / bare) / 2
            rows.append([label, fmt(bare), fmt(loaded), fmt(loaded / bare, 3), fmt(costs[backend], 1, " µs")])
        self.table(["backend", "ping-pong round trips per CPU-second, no GLib fds", "with 1,000 idle GLib fds",
                    "ratio", "cost per iteration added by the 1,000 fds"], rows)
        if "epoll" in costs and "glib" in costs:
            # GLib walks all its sources and polls all their fds on every
            # iteration, whoever runs its loop: that O(n) is GLib's bound,
            # and hosting must not add to it (within a tenth).
            self.targets.append(["GLib hosting with 1,000 GLib fds on epoll costs no more per iteration than "
                                 "the glib backend (GLib's own bound), within 10 %",
                                 "%s vs %s per iteration" % (fmt(costs["epoll"], 1, " µs"),
                                                             fmt(costs["glib"], 1, " µs")),
                                 verdict(costs["epoll"] <= 1.1 * costs["glib"])])
        self.out("GLib hosting is O(n) per iteration in the number of GLib-side fds on every backend, and that is "
                 "GLib's own bound: it walks all its sources and polls all their fds on every iteration, whoever "
                 "runs its loop. The hosted epoll backend waits in one `ppoll()` on GLib's fds and the epoll fd "
                 "and collects Weft's own events with a zero-timeout `epoll_wait()` (`docs/soup.md`, "
                 "`docs/reactor.md`); it does not re-register GLib's fds with `epoll_ctl()` per iteration.")
        self.out()
        self.group_notes("soup")

    def chat_memory(self):
        runs = self.section("chat-memory", "13. Chat server memory: idle clients and SSE listeners",
                            notes_if_missing=True)
        if not runs:
            return
        values = runs[0]
        idle = [name for name in CHAT_LABELS if name in values]
        if idle:
            self.out("`bench/chat_bench.py` with `bench/chat-loadgen`: %s registered clients join one channel and "
                     "stay idle; the server's `VmRSS` before they connect and 1 s after the last one registered. "
                     "The same servers and limits as section 11." % fmt(values[idle[0]].get("clients")))
            self.out()
            self.table(["server", "RSS before", "RSS after", "per client"], [
                [CHAT_LABELS[name], fmt(values[name]["rss_before_kib"], 0, " KiB"),
                 fmt(values[name]["rss_after_kib"], 0, " KiB"), fmt(values[name]["kib_per_client"], 1, " KiB")]
                for name in idle])
        sse = values.get("sse")
        if sse:
            self.out("Server-sent events: %s listeners on `/channels/bench/events` of one weft-chat-server (one "
                     "thread), then one IRC message to the channel; the time until every listener has it. A "
                     "listener costs what libsoup's server connection and message cost (its buffers and GIO stream "
                     "objects). The push formats the event once and hands the same `GBytes` to every response; the "
                     "feed is close-delimited (no chunked encoding), so a push is one `send()` per listener." % (
                         fmt(sse.get("listeners"))))
            self.out()
            push = sse.get("push_seconds")
            self.table(["listeners", "RSS before", "RSS after", "per listener", "time to push one message to all"],
                       [[fmt(sse.get("listeners")), fmt(sse["rss_before_kib"], 0, " KiB"),
                         fmt(sse["rss_after_kib"], 0, " KiB"), fmt(sse["kib_per_listener"], 1, " KiB"),
                         fmt(push * 1000, 0, " ms") if push is not None else "?"]])
        self.group_notes("chat-memory")

    def gui(self):
        runs = self.section("gui", "9. GUI citizenship: a GTK 4 window beside an echo server under load",
                            notes_if_missing=True)
        if not runs:
            return
        self.out("The echo server and a GTK 4 window share one thread and one reactor (Twisted: its gi reactor, "
                 "which runs GLib's main loop). Unloaded: the window alone. Loaded: the same program while the "
                 "load generator drives 100 connections. Frame rates are medians over the runs; stalls are the "
                 "worst run. *Busy* is the CPU time the GTK thread itself used (`CLOCK_THREAD_CPUTIME_ID`) between the "
                 "two runs of the timeout that framed the longest stall, the 1 ms wait included, so it can exceed "
                 "the stall; the rest of that time the thread was waiting for a CPU, which happens on two cores "
                 "shared by the server, the load generator, Xvfb and other work on the machine.")
        self.out()
        fields = ["unloaded_fps", "fps", "max_stall_ms", "max_busy_stall_ms", "unloaded_max_stall_ms",
                  "max_frame_gap_ms", "round_trips_per_sec"]
        tables = {field: per_server(runs, field) for field in fields}
        rows = []
        for server in ordered(tables["fps"]):
            value = {field: median(tables[field].get(server, [])) for field in fields}
            # The worst run decides the stall: one long stall is a visible hitch.
            stall = max(v for v in tables["max_stall_ms"][server] if v is not None)
            busy = max((v for v in tables["max_busy_stall_ms"].get(server, []) if v is not None), default=None)
            share = value["fps"] / value["unloaded_fps"] if value["unloaded_fps"] else None
            rows.append([LABELS.get(server, server), fmt(value["unloaded_fps"], 1), fmt(value["fps"], 1),
                         fmt(100 * share if share is not None else None, 0, " %"), fmt(stall, 1), fmt(busy, 1),
                         fmt(value["unloaded_max_stall_ms"], 1), fmt(value["max_frame_gap_ms"], 1),
                         fmt(value["round_trips_per_sec"])])
            if server.startswith("weft-"):
                self.targets.append(["%s: loaded window keeps ≥ 95 %% of its frame rate, no stall over 16 ms" %
                                     LABELS[server], "%s of the frame rate, longest stall %s (busy %s)" % (
                                         fmt(100 * share if share is not None else None, 0, " %"),
                                         fmt(stall, 1, " ms"), fmt(busy, 1, " ms")),
                                     verdict(share is not None and share >= 0.95 and stall <= 16)])
        self.table(["server", "fps unloaded", "fps loaded", "share", "longest stall loaded (ms)",
                    "busy in it (ms)", "longest stall unloaded (ms)", "longest frame gap loaded (ms)", "echo round trips/s meanwhile"],
                   rows)
        self.group_notes("gui")

    def chatui(self):
        runs = self.section("chatui", "9b. weft-chat: a flood of messages, 100,000 messages, start-up",
                            notes_if_missing=True)
        if not runs:
            return
        self.out("`bench/bench-chat-ui`: weft-chat's window (GTK 4, libadwaita) on screen under Xvfb with "
                 "`GSK_RENDERER=cairo`, the chat server of `demo-server/` in the same process and thread, and a "
                 "second client of that server sending raw `PRIVMSG` lines into the channel the window shows. "
                 "One process per backend and measurement.")
        self.out()
        self.out("- **Flood**: the channel first receives 1,000 messages (a channel one reads has history: the "
                 "view has made its rows), then the window runs alone for 3 s (*unloaded*), then 2,000 messages/s "
                 "arrive for 10 s (*loaded*). Frames are the window's frame-clock ticks. The *stall* is how late "
                 "a 2 ms reactor timer ran (the longest, wall clock); *own CPU in it* is the CPU time the thread "
                 "used during that stall (the rest it waited for a CPU, on two cores shared with Xvfb and other "
                 "work); the *longest own run* is the most CPU time the thread used between two runs of the timer, "
                 "however long they were apart: a stall the program made itself. A bare *peer* thread of the same "
                 "process (no Weft, no main loop) sleeps to 1 ms ticks beside both phases; where its timer fired "
                 "late by more than 1 ms without its having waited for a CPU (the kernel's schedstat), the machine "
                 "took that time (the host not running this virtual machine's CPUs, which the guest also charges "
                 "as CPU time to the thread it paused). The *beyond the peer* columns take the part of each "
                 "interval the peer lost out of that interval's stall and own run before the longest is chosen; "
                 "a pause of only the other virtual CPU is not seen by the peer and stays counted. "
                 "The view follows the newest message as it does for a reader at the bottom; *frames that start at "
                 "the bottom* is the share of frames whose update began with the view there (new rows join the view "
                 "between frames and the view reaches their end in the layout of the frame that draws them, so "
                 "anything under 100 % means it fell behind). "
                 "*Shown/s* counts messages that "
                 "joined the open channel's view; *catch-up* is how long after the flood stopped the last message "
                 "sent was in the view.")
        self.out("- **100,000 messages**: a fresh process; 100,000 messages arrive as fast as the client takes "
                 "them (offered at 20,000/s), then the process's `VmRSS`; then the view scrolls up one page per "
                 "frame for 120 frames through them.")
        self.out("- **Start-up**: `weft-chat --demo --startup-time` from the moment the benchmark starts the "
                 "process to the end of the first frame the window paints with a channel shown "
                 "(the frame clock's `after-paint`; the program prints that moment's `CLOCK_MONOTONIC` time). "
                 "*First start*: an empty data directory (the embedded server creates its database and seeds "
                 "10,000 messages of `#history` on a pool thread); *again*: the same directory. Median of %d "
                 "starts each. Under Xvfb there is no GPU: with GTK's GL probe on, GDK loads Mesa's software "
                 "renderer (LLVM) before the first window; `GDK_DEBUG=gl-disable` skips that probe, as a "
                 "desktop's hardware driver would make it cheap." % len(self.results.get("chatui_startup", [])))
        self.out()
        fields = ["flood_fps_unloaded", "flood_fps_loaded", "flood_fps_ratio", "flood_stall_loaded_ms",
                  "flood_stall_busy_ms", "flood_busy_max_ms", "flood_stall_beyond_peer_ms",
                  "flood_busy_beyond_peer_ms", "flood_peer_pause_max_ms", "flood_at_bottom", "flood_frame_gap_ms", "flood_shown_per_s",
                  "flood_catch_up_ms", "flood_stall_unloaded_ms", "rss_rss_mb", "rss_rss_before_mb", "rss_rows",
                  "rss_seconds", "rss_arrived_per_s", "rss_scroll_fps", "rss_scroll_frame_gap_ms"]
        tables = {field: per_server(runs, field) for field in fields}
        worst = lambda field, backend: max((v for v in tables[field].get(backend, []) if v is not None),
                                           default=None)
        flood_rows, memory_rows = [], []
        for backend in ["select", "poll", "epoll", "glib"]:
            if backend not in tables["flood_fps_loaded"] and backend not in tables["rss_rss_mb"]:
                continue
            value = {field: median(tables[field].get(backend, [])) for field in fields}
            stall, own, own_max = (worst("flood_stall_loaded_ms", backend), worst("flood_stall_busy_ms", backend),
                                   worst("flood_busy_max_ms", backend))
            stall_beyond, own_beyond, peer_pause = (worst("flood_stall_beyond_peer_ms", backend),
                                                    worst("flood_busy_beyond_peer_ms", backend),
                                                    worst("flood_peer_pause_max_ms", backend))
            share = value["flood_fps_ratio"]
            if value["flood_fps_loaded"] is not None:
                flood_rows.append([backend, fmt(value["flood_fps_unloaded"], 1), fmt(value["flood_fps_loaded"], 1),
                                   fmt(100 * share if share is not None else None, 0, " %"), fmt(stall, 1),
                                   fmt(own, 1), fmt(own_max, 1), fmt(stall_beyond, 1), fmt(own_beyond, 1),
                                   fmt(peer_pause, 1),
                                   fmt(100 * value["flood_at_bottom"] if value["flood_at_bottom"] is not None else None,
                                       0, " %"),
                                   fmt(value["flood_frame_gap_ms"], 1),
                                   fmt(value["flood_shown_per_s"]), fmt(value["flood_catch_up_ms"])])
                self.targets.append(["weft-chat, %s: 2,000 messages/s keep ≥ 95 %% of the unloaded frame rate" %
                                     backend, "%s (%s of %s fps)" % (
                                         fmt(100 * share if share is not None else None, 0, " %"),
                                         fmt(value["flood_fps_loaded"], 1), fmt(value["flood_fps_unloaded"], 1)),
                                     verdict(None if share is None else share >= 0.95)])
                self.targets.append(["weft-chat, %s: longest main-loop stall under the flood < 16 ms" % backend,
                                     "%s of its own beyond the machine's pauses (%s counting them); %s on the "
                                     "wall clock (%s beyond the pauses); the peer's longest pause %s" % (
                                         fmt(own_beyond if own_beyond is not None else own_max, 1, " ms"),
                                         fmt(own_max, 1, " ms"), fmt(stall, 1, " ms"), fmt(stall_beyond, 1, " ms"),
                                         fmt(peer_pause, 1, " ms")),
                                     verdict(None if own_max is None else
                                             (own_beyond if own_beyond is not None else own_max) < 16)])
            if value["rss_rss_mb"] is not None:
                memory_rows.append([backend, fmt(value["rss_rss_mb"], 1), fmt(value["rss_rss_before_mb"], 1),
                                    fmt(value["rss_rows"]), fmt(value["rss_seconds"], 1),
                                    fmt(value["rss_arrived_per_s"]), fmt(value["rss_scroll_fps"], 1),
                                    fmt(value["rss_scroll_frame_gap_ms"], 1)])
                rss = worst("rss_rss_mb", backend)
                self.targets.append(["weft-chat, %s: RSS after 100,000 messages < 200 MB" % backend,
                                     fmt(rss, 1, " MB"), verdict(rss < 200)])
        if flood_rows:
            self.table(["backend", "fps unloaded", "fps loaded", "share", "longest stall (ms, wall)",
                        "own CPU in it (ms)", "longest own run (ms)", "longest stall beyond the peer (ms)",
                        "longest own run beyond the peer (ms)", "peer's longest pause (ms)",
                        "frames that start at the bottom",
                        "longest frame gap (ms)", "messages shown/s",
                        "catch-up (ms)"], flood_rows)
        if memory_rows:
            self.table(["backend", "RSS after 100,000 (MB)", "RSS before (MB)", "rows in the view",
                        "seconds to receive them", "messages/s received", "scrolling fps",
                        "longest frame gap scrolling (ms)"], memory_rows)
        startup_rows = []
        for name, label in [("chatui_startup", "GL probe off (`GDK_DEBUG=gl-disable`)"),
                            ("chatui_startup_gl", "GL probe on (Mesa's software GL loads)")]:
            starts = self.results.get(name)
            if not starts:
                continue
            first = per_server(starts, "first").get("demo", [])
            again = per_server(starts, "again").get("demo", [])
            gtk = per_server(starts, "first_gtk_ms").get("demo", [])
            present = per_server(starts, "first_present_ms").get("demo", [])
            startup_rows.append([label, fmt(median(first)), spread(first), fmt(median(again)), spread(again),
                                 fmt(median(gtk)), fmt(median(present))])
            for what, values in (("first start", first), ("again", again)):
                self.targets.append(["weft-chat --demo: process start to first frame < 500 ms, %s, %s" % (
                    label.split(" (")[0], what), "median %s (%s)" % (fmt(median(values), 0, " ms"), spread(values)),
                    verdict(None if median(values) is None else median(values) < 500)])
        if startup_rows:
            self.table(["start-up", "first start (ms, median)", "range", "again (ms, median)", "range",
                        "GTK and libadwaita ready (ms after main)", "window presented (ms after main)"], startup_rows)
        self.group_notes("chatui")

    def profile(self):
        runs = self.section("profile", "Profile: user-space instructions per round trip", notes_if_missing=True)
        if not runs:
            return
        self.out("Each server under callgrind, 10 connections, ping-pong for two different lengths; the difference "
                 "in instructions divided by the difference in round trips, so that start-up cancels out. Only "
                 "user space is counted: the kernel's work for a round trip (a `read()` and a `send()` of 64 bytes "
                 "over loopback TCP, and the wait) is the same for every server.")
        self.out()
        values = per_server(runs, "instructions_per_round_trip")
        floor = median(values.get("floor", []))
        self.table(["server", "instructions per round trip", "more than the floor"], [
            [LABELS.get(s, s), fmt(median(values[s])),
             fmt(median(values[s]) - floor) if floor is not None else "—"]
            for s in ordered(values)
        ])
        top = runs[0].get("weft-epoll", {}).get("top")
        if top:
            self.out("Where Weft's epoll server spends them (self cost per round trip, the ten largest):")
            self.out()
            self.table(["function (library)", "instructions per round trip"],
                       [["`%s`" % name, fmt(value, 1)] for name, value in top])
        self.group_notes("profile")

    def findings(self):
        path = os.path.join(HERE, "findings.md")
        if os.path.exists(path):
            with open(path) as f:
                self.out(f.read().rstrip())
            self.out()

    def commands(self):
        facts = self.doc["facts"]
        self.out("## Commands")
        self.out()
        self.out("The whole run: `%s`. Within it (BENCH is the build's `bench/` directory, PORT a free port "
                 "chosen for each server start):" % facts["command"])
        self.out()
        for group, commands in self.doc["commands"].items():
            self.out("- %s:" % group)
            for command in commands:
                self.out("  - `%s`" % command)
        self.out()
        if self.doc.get("failures"):
            self.out("### Failures in this run")
            self.out()
            for failure in self.doc["failures"]:
                self.out("- %s" % failure.splitlines()[0][:400])
            self.out()

    def build(self):
        self.header()
        self.method()
        body_start = len(self.lines)
        self.echo("echo100", "1. Echo ping-pong: 100 connections, one 64-byte message in flight each", 100)
        self.echo("echo1000", "1b. Echo ping-pong: 1,000 connections", 1000)
        self.bulk()
        self.timers()
        self.threads()
        self.deferred()
        self.irc()
        self.memory()
        self.hosting()
        self.idle()
        self.gui()
        self.chatui()
        self.sqlite()
        self.chat_fanout()
        self.soup()
        self.chat_memory()
        self.profile()
        body = self.lines[body_start:]
        self.lines = self.lines[:body_start]
        self.targets_section()
        self.lines += body
        self.findings()
        self.commands()
        return "\n".join(self.lines).rstrip() + "\n"


def chart(document, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report.py: matplotlib is not installed; no chart", file=sys.stderr)
        return False

    panels = []
    for group, title in [("echo100", "Ping-pong, 100 connections"),
                         ("echo100_cpu", "Ping-pong, 100 connections,\nper server CPU-second"),
                         ("echo1000", "Ping-pong, 1,000 connections"), ("bulk", "Bulk, 1 GiB")]:
        runs = document["results"].get(group)
        if runs:
            ratios = ratios_to_floor(runs)
            names = ordered(ratios)
            panels.append((title, names, [median(ratios[n]) for n in names]))
    if not panels:
        return False

    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 5.2), squeeze=False)
    for ax, (title, names, values) in zip(axes[0], panels):
        colors = ["#3465a4" if n.startswith("weft") else "#888a85" if n == "floor" else "#f57900" for n in names]
        positions = range(len(names))
        ax.barh(list(positions), values, color=colors)
        ax.set_yticks(list(positions))
        ax.set_yticklabels([LABELS.get(n, n).split(" (")[0] for n in names], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(1.0, color="#555753", linewidth=0.8)
        for target, style in [(0.95, "--"), (0.85, ":")]:
            ax.axvline(target, color="#4e9a06", linewidth=0.8, linestyle=style,
                       label="target %.2f" % target if ax is axes[0][0] else None)
        for y, v in zip(positions, values):
            ax.text(v + 0.01, y, "%.2f" % v, va="center", fontsize=7)
        ax.set_xlim(0, max(1.15, max(values) + 0.15))
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("ratio to the floor (median of per-run ratios)", fontsize=8)
    axes[0][0].legend(loc="lower right", fontsize=7)
    fig.suptitle("Echo servers against the floor, %s" % document["facts"]["date"], fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--output", required=True, help="directory for BENCHMARKS.md and benchmarks.png")
    args = parser.parse_args()

    with open(args.results) as f:
        document = json.load(f)
    os.makedirs(args.output, exist_ok=True)
    text = Report(document).build()
    if chart(document, os.path.join(args.output, "benchmarks.png")):
        text = text.replace("## How it is measured", "![Echo servers against the floor](benchmarks.png)\n\n"
                            "## How it is measured", 1)
    with open(os.path.join(args.output, "BENCHMARKS.md"), "w") as f:
        f.write(text)
    print("wrote %s" % os.path.join(args.output, "BENCHMARKS.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
