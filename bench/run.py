#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs Weft's benchmarks and the peers they are compared with, and collects
the results as JSON (then bench/report.py turns them into BENCHMARKS.md).

    run.py --bin-dir BUILDDIR/bench --output DIR [--runs N] [--only GROUPS]
           [--server NAME ...] [--no-pin] [--smoke]

Groups: echo100, echo1000, bulk, memory, gui, timers, threads, deferred, irc,
idle, sqlite, soup, chat-fanout, chat-memory, chatui ("echo" stands for the
first four; "chat" for chat-fanout and chat-memory: the chat server against
ngircd and InspIRCd, and its memory per idle client and per SSE listener,
through bench/chat_bench.py, unpinned; soup is libweft-soup against plain
libsoup and GLib hosting with many GLib fds; chatui is weft-chat under a
message flood, with 100,000 messages, and its start-up: about five minutes).
Every echo server runs in its own process, pinned to CPU 0, with the load generator pinned to CPU 1 (--no-pin
turns pinning off); GTK runs need a display (the caller provides Xvfb).
Runs are interleaved (run 1 of every server, then run 2, ..., each run in a
rotated order) so that a burst of other activity on the machine hits every
server alike, and every ratio is taken against the floor of the same run.

--smoke runs each selected benchmark once with tiny counts and fails on any
error: the CI check that none of them rots. Exit code 77 means "skipped"
(a GTK run without a display).
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TWISTED_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

WEFT_BACKENDS = ["epoll", "poll", "select", "glib"]
ECHO_SERVERS = (
    ["floor"]
    + ["weft-" + b for b in WEFT_BACKENDS]
    + ["weft-epoll-nohost", "libevent", "libuv", "gio", "twisted-epoll", "twisted-gi"]
)
MEMORY_SERVERS = ["floor", "weft-epoll", "weft-poll", "weft-glib", "libevent", "libuv", "twisted-epoll"]
GUI_SERVERS = ["weft-" + b for b in WEFT_BACKENDS] + ["twisted-gi"]
PROFILE_SERVERS = ["floor", "weft-epoll", "weft-epoll-nohost", "weft-poll", "weft-select", "weft-glib"]
GROUPS = ["echo100", "echo1000", "bulk", "memory", "gui", "profile", "timers", "threads", "deferred", "irc", "idle", "sqlite",
          "soup", "chat-fanout", "chat-memory", "chatui"]
ALIASES = {"echo": ["echo100", "echo1000", "bulk", "memory"], "chat": ["chat-fanout", "chat-memory"]}
CHAT_SERVERS = ["weft-chat-server", "ngircd", "inspircd"]

SKIP = 77


class BenchError(Exception):
    pass


def parse_pairs(text, prefix=None):
    """The last line of key=value pairs (optionally starting with prefix)."""
    found = None
    for line in text.splitlines():
        if prefix is not None and not line.startswith(prefix):
            continue
        pairs = dict(re.findall(r"(\w+)=(\S+)", line))
        if pairs:
            found = pairs
    if found is None:
        raise BenchError("no result in output: %r" % text[-500:])
    return found


def parse_lines(text):
    """'NAME key=value ...' lines as {NAME: {key: float}}."""
    results = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 2 or "=" not in parts[1]:
            continue
        values = {}
        for key, value in re.findall(r"(\w+)=(\S+)", line):
            try:
                values[key] = float(value)
            except ValueError:
                pass
        results[parts[0]] = values
    return results


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError("the server exited with status %s before listening" % process.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.02)
    raise BenchError("the server did not listen on port %d within %.0f s" % (port, timeout))


class Server:
    """An echo server process; stdout and stderr go to temporary files."""

    def __init__(self, command, port, env=None):
        self.command = command
        self.port = port
        self.stdout = tempfile.TemporaryFile(mode="w+")
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(command, stdout=self.stdout, stderr=self.stderr, env=env)

    def pid(self):
        return self.process.pid

    def output(self):
        self.stdout.seek(0)
        return self.stdout.read()

    def errors(self):
        self.stderr.seek(0)
        return self.stderr.read()[-2000:]

    def stop(self):
        """Stops the server; raises if it had died or did not exit cleanly."""
        died = self.process.poll()
        if died is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise BenchError("the server ignored SIGTERM for 10 s; stderr: %s" % self.errors())
        status = self.process.returncode
        if died is not None:
            raise BenchError("the server died during the run (status %s); stderr: %s" % (died, self.errors()))
        if status not in (0, -signal.SIGTERM):
            raise BenchError("the server exited with status %s after SIGTERM; stderr: %s" % (status, self.errors()))


class Runner:
    def __init__(self, args):
        self.args = args
        self.bin_dir = os.path.abspath(args.bin_dir)
        self.smoke = args.smoke
        self.runs = 1 if args.smoke else args.runs
        self.pin = (not args.no_pin) and shutil_which("taskset") and os.cpu_count() >= 2
        self.commands = {}
        self.results = {}
        self.notes = {}
        self.failures = []
        self.available = {}

    # --- helpers -------------------------------------------------------

    def binary(self, name):
        return os.path.join(self.bin_dir, name)

    def server_pin(self):
        return ["taskset", "-c", "0"] if self.pin else []

    def client_pin(self):
        return ["taskset", "-c", "1"] if self.pin else []

    def server_available(self, name):
        if name not in self.available:
            self.available[name] = self.check_server(name)
        return self.available[name]

    def check_server(self, name):
        if name.startswith("weft-"):
            return os.access(self.binary("echo-weft"), os.X_OK)
        if name.startswith("twisted-"):
            module = "twisted.internet.epollreactor" if name == "twisted-epoll" else "twisted.internet.gireactor"
            check = "import %s" % module
            if name == "twisted-gi":
                check = ("import gi; gi.require_version('Gtk', '4.0'); gi.require_foreign('cairo'); "
                         "from gi.repository import Gtk; " + check)
            return subprocess.run([TWISTED_PYTHON, "-c", check], capture_output=True).returncode == 0
        return os.access(self.binary("echo-" + name), os.X_OK)

    def server_command(self, name, port, gtk=None, wrapper=()):
        if name.startswith("weft-"):
            backend = name[5:]
            command = [self.binary("echo-weft"), "--port", str(port)]
            if backend.endswith("-nohost"):
                backend = backend[: -len("-nohost")]
                command.append("--no-hosting")
            command.insert(1, "--reactor=" + backend)
        elif name.startswith("twisted-"):
            command = [TWISTED_PYTHON, os.path.join(HERE, "echo_twisted.py"), "--reactor", name[8:], "--port", str(port)]
        else:
            command = [self.binary("echo-" + name), "--port", str(port)]
        if gtk is not None:
            command += ["--gtk", "--gtk-delay", str(gtk[0]), "--gtk-seconds", str(gtk[1])]
        return self.server_pin() + list(wrapper) + command

    def note_command(self, group, command, port=None):
        text = " ".join(shlex.quote(part) for part in command)
        text = text.replace(self.bin_dir + "/", "BENCH/").replace(HERE + "/", "bench/").replace(ROOT + "/", "")
        if port is not None:
            text = re.sub(r"\b%d\b" % port, "PORT", text)
        text = re.sub(r"--server-pid \d+", "--server-pid PID", text)
        commands = self.commands.setdefault(group, [])
        if text not in commands:
            commands.append(text)

    def run_client(self, group, command, port=None, timeout=120):
        self.note_command(group, command, port)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BenchError("%s timed out after %d s" % (command[0], timeout))
        if done.returncode != 0:
            program = next((part for part in command if "/" in part), command[0])
            raise BenchError("%s failed (%d): %s" % (os.path.basename(program), done.returncode,
                                                    done.stderr.strip()[-1000:]))
        return done.stdout

    def with_server(self, group, name, client, gtk=None, env=None, wrapper=()):
        """Starts server NAME, waits until it listens, runs client(server),
        stops the server; returns what client returned."""
        port = free_port()
        command = self.server_command(name, port, gtk, wrapper)
        self.note_command(group, command, port)
        server = Server(command, port, env)
        try:
            wait_for_port(port, server.process, 30)
            result = client(server)
        except BaseException:
            try:
                server.stop()
            except BenchError:
                pass
            raise
        server.stop()
        return result

    def record(self, group, run, key, value):
        runs = self.results.setdefault(group, [])
        while len(runs) <= run:
            runs.append({})
        runs[run][key] = value

    def fail(self, group, key, error):
        message = "%s/%s: %s" % (group, key, error)
        print("  FAILED " + message, flush=True)
        self.failures.append(message)
        self.notes.setdefault(group, {})[key] = str(error).splitlines()[0][:300]

    def selected_servers(self, candidates):
        wanted = self.args.server or candidates
        chosen = []
        for name in wanted:
            if name not in candidates:
                continue
            if self.server_available(name):
                chosen.append(name)
            else:
                self.notes.setdefault("missing", {})[name] = "not built or not installed"
        return chosen

    # --- echo ----------------------------------------------------------

    def loadgen(self, *args):
        return self.client_pin() + [self.binary("loadgen")] + list(args)

    def pingpong(self, group, connections):
        servers = self.selected_servers(ECHO_SERVERS)
        warmup, seconds = ("0.2", "0.5") if self.smoke else ("0.5", "2" if connections == 100 else "1.5")
        runs = self.runs
        if self.smoke:
            connections = min(connections, 20)
        elif connections == 100:
            runs = max(self.runs, self.args.echo_runs)
        for run in range(runs):
            for name in rotated(servers, run):
                if name in self.notes.get(group, {}):
                    continue  # failed in an earlier run: do not retry every run

                def client(server):
                    out = self.run_client(
                        group,
                        self.loadgen("pingpong", "--port", str(server.port), "--connections", str(connections),
                                     "--size", "64", "--warmup", warmup, "--seconds", seconds,
                                     "--server-pid", str(server.pid())),
                        server.port,
                    )
                    pairs = parse_pairs(out)
                    return float(pairs["round_trips_per_sec"]), float(pairs["round_trips_per_cpu_sec"])

                try:
                    value, per_cpu = self.with_server(group, name, client)
                    self.record(group, run, name, value)
                    self.record(group + "_cpu", run, name, per_cpu)
                    print("  %s run %d %s: %.0f round trips/s" % (group, run + 1, name, value), flush=True)
                except BenchError as error:
                    self.fail(group, name, error)

    def bulk(self):
        group = "bulk"
        servers = self.selected_servers(ECHO_SERVERS)
        size = str(16 << 20) if self.smoke else str(1 << 30)
        for run in range(self.runs):
            for name in rotated(servers, run):
                if name in self.notes.get(group, {}):
                    continue

                def client(server):
                    out = self.run_client(
                        group,
                        self.loadgen("bulk", "--port", str(server.port), "--bytes", size, "--window", str(256 << 10),
                                     "--server-pid", str(server.pid())),
                        server.port,
                        timeout=300,
                    )
                    pairs = parse_pairs(out)
                    return float(pairs["mb_per_sec"]), float(pairs["mb_per_cpu_sec"])

                try:
                    value, per_cpu = self.with_server(group, name, client)
                    self.record(group, run, name, value)
                    self.record(group + "_cpu", run, name, per_cpu)
                    print("  bulk run %d %s: %.1f MB/s" % (run + 1, name, value), flush=True)
                except BenchError as error:
                    self.fail(group, name, error)

    def memory(self):
        group = "memory"
        servers = self.selected_servers(MEMORY_SERVERS)
        connections = "50" if self.smoke else "10000"
        for run in range(1 if self.smoke else self.args.memory_runs):
            for name in servers:
                if name in self.notes.get(group, {}):
                    continue

                def client(server):
                    time.sleep(0.2)  # let the server finish starting before the baseline
                    out = self.run_client(
                        group,
                        self.loadgen("idle", "--port", str(server.port), "--connections", connections,
                                     "--server-pid", str(server.pid()), "--hold", "0.5"),
                        server.port,
                    )
                    return parse_pairs(out)

                try:
                    pairs = self.with_server(group, name, client)
                    value = {
                        "bytes_per_connection": float(pairs["bytes_per_connection"]),
                        "rss_before_kb": float(pairs["rss_before_kb"]),
                        "rss_after_kb": float(pairs["rss_after_kb"]),
                    }
                    self.record(group, run, name, value)
                    print("  memory run %d %s: %.0f bytes/connection" % (run + 1, name, value["bytes_per_connection"]),
                          flush=True)
                except BenchError as error:
                    self.fail(group, name, error)

    # --- profile -------------------------------------------------------

    def profile(self):
        """User-space instructions per round trip (callgrind), from two
        ping-pong runs of different lengths, so that start-up cancels out."""
        group = "profile"
        if not shutil_which("valgrind"):
            self.notes.setdefault(group, {})["all"] = "valgrind is not installed"
            return
        servers = self.selected_servers(PROFILE_SERVERS)
        durations = (0.3, 0.8) if self.smoke else (0.5, 1.5)
        for name in servers:
            points = []
            try:
                for seconds in durations:
                    with tempfile.NamedTemporaryFile(prefix="callgrind.", dir=self.args.work_dir,
                                                     delete=False) as f:
                        out_file = f.name
                    wrapper = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out_file]

                    def client(server, seconds=seconds):
                        out = self.run_client(
                            group,
                            self.loadgen("pingpong", "--port", str(server.port), "--connections", "10",
                                         "--size", "64", "--warmup", "0", "--seconds", str(seconds)),
                            server.port,
                        )
                        return int(parse_pairs(out)["all_round_trips"])

                    round_trips = self.with_server(group, name, client, wrapper=wrapper)
                    points.append((round_trips, callgrind_total(out_file), out_file))
                (rt1, ir1, file1), (rt2, ir2, file2) = points
                if rt2 <= rt1:
                    raise BenchError("the longer run made no more round trips (%d, %d)" % (rt1, rt2))
                value = {"instructions_per_round_trip": (ir2 - ir1) / (rt2 - rt1)}
                if name == "weft-epoll":
                    value["top"] = callgrind_top(file2, file1, rt2 - rt1)
                self.record(group, 0, name, value)
                print("  profile %s: %.0f instructions per round trip" % (name, value["instructions_per_round_trip"]),
                      flush=True)
            except BenchError as error:
                self.fail(group, name, error)
            finally:
                for point in points:
                    os.unlink(point[2])

    # --- GTK -----------------------------------------------------------

    def gui(self):
        group = "gui"
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            self.notes.setdefault(group, {})["all"] = "no display (run under xvfb-run)"
            return SKIP
        servers = self.selected_servers(GUI_SERVERS)
        delay, seconds = (0.3, 0.6) if self.smoke else (1.0, 2.5)
        env = dict(os.environ, GTK_A11Y="none", NO_AT_BRIDGE="1", GSK_RENDERER="cairo")
        for run in range(self.runs if not self.smoke else 1):
            for name in rotated(servers, run):
                if name in self.notes.get(group, {}):
                    continue
                try:
                    unloaded = self.with_server(group, name, lambda s: self.wait_gtk_result(s, delay + seconds),
                                                gtk=(delay, seconds), env=env)
                    loaded = self.with_server(group, name, lambda s: self.loaded_gtk(group, s, delay, seconds),
                                              gtk=(delay, seconds), env=env)
                    value = {
                        "unloaded_fps": unloaded["fps"],
                        "unloaded_max_stall_ms": unloaded["max_stall_ms"],
                        "fps": loaded["fps"],
                        "max_stall_ms": loaded["max_stall_ms"],
                        "max_busy_stall_ms": loaded["max_busy_stall_ms"],
                        "max_frame_gap_ms": loaded["max_frame_gap_ms"],
                        "round_trips_per_sec": loaded["round_trips_per_sec"],
                    }
                    self.record(group, run, name, value)
                    print("  gui run %d %s: %.1f fps unloaded, %.1f fps loaded, stall %.1f ms (busy %.1f ms), "
                          "%.0f round trips/s" % (run + 1, name, value["unloaded_fps"], value["fps"],
                                                  value["max_stall_ms"], value["max_busy_stall_ms"],
                                                  value["round_trips_per_sec"]), flush=True)
                except BenchError as error:
                    self.fail(group, name, error)
        return 0

    def wait_gtk_result(self, server, seconds):
        deadline = time.monotonic() + seconds + 20
        while time.monotonic() < deadline:
            output = server.output()
            if "mode=gtk" in output:
                return {k: float(v) for k, v in parse_pairs(output, "mode=gtk").items() if k != "mode"}
            if server.process.poll() is not None:
                raise BenchError("the GTK server exited (%s): %s" % (server.process.returncode, server.errors()))
            time.sleep(0.05)
        raise BenchError("no frame statistics from the GTK server; stderr: %s" % server.errors())

    def loaded_gtk(self, group, server, delay, seconds):
        # The load generator's window covers the server's frame window:
        # warm-up from connecting, then one second more than the frames.
        out = self.run_client(
            group,
            self.loadgen("pingpong", "--port", str(server.port), "--connections", "10" if self.smoke else "100",
                         "--size", "64", "--warmup", "%.1f" % (delay - 0.3), "--seconds", "%.1f" % (seconds + 1.0)),
            server.port,
        )
        result = self.wait_gtk_result(server, 0)
        result["round_trips_per_sec"] = float(parse_pairs(out)["round_trips_per_sec"])
        return result

    # --- weft-chat -----------------------------------------------------

    def chat_env(self):
        build = os.path.dirname(self.bin_dir)
        return dict(os.environ, GTK_A11Y="none", NO_AT_BRIDGE="1", GSK_RENDERER="cairo",
                    GSETTINGS_SCHEMA_DIR=os.path.join(build, "demo-client", "data"), GSETTINGS_BACKEND="memory")

    def chat_ui(self, group, backend, mode):
        command = [self.binary("bench-chat-ui"), "--mode", mode]
        if self.smoke:
            command.append("--smoke")
        command.append(backend)
        self.note_command(group, command)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=self.chat_env())
        except subprocess.TimeoutExpired:
            raise BenchError("bench-chat-ui --mode %s %s timed out after 600 s" % (mode, backend))
        if done.returncode != 0:
            raise BenchError("bench-chat-ui failed (%d): %s" % (done.returncode, done.stderr.strip()[-1000:]))
        pairs = parse_pairs(done.stdout, "backend=%s mode=%s" % (backend, mode))
        if "incomplete" in pairs:
            raise BenchError("bench-chat-ui --mode %s %s: not every message arrived: %s" % (
                mode, backend, done.stdout.strip()[-300:]))
        values = {}
        for key, value in pairs.items():
            try:
                values[key] = float(value)
            except ValueError:
                pass
        return values

    def chat_startup(self, group, run, gl):
        """Process start to the first frame of weft-chat --demo with a
        channel on screen, timed from here: the clock read just before the
        process is started, and the CLOCK_MONOTONIC time the program
        prints at its first frame. A fresh data directory (the server seeds
        #history) and then the same directory again."""
        env = self.chat_env()
        if not gl:
            env["GDK_DEBUG"] = "gl-disable"
        results = {}
        data_dir = tempfile.mkdtemp(prefix="weft-chat-startup-")
        try:
            for start in ("first", "again"):
                command = [os.path.join(os.path.dirname(self.bin_dir), "demo-client", "weft-chat"), "--demo",
                           "--demo-dir", data_dir, "--startup-time"]
                text = " ".join(command).replace(data_dir, "DIR").replace(os.path.dirname(self.bin_dir) + "/", "BUILD/")
                self.note_command(group, ("" if gl else "GDK_DEBUG=gl-disable ") + text)
                started_us = time.monotonic_ns() // 1000
                process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                           env=env)
                try:
                    out, err = process.communicate(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.communicate()
                    raise BenchError("weft-chat --demo showed no frame within 60 s")
                pairs = parse_pairs(out, "startup-to-first-frame-ms")
                if "first_frame_us" not in pairs:
                    raise BenchError("weft-chat printed no first frame (status %s): %s" % (
                        process.returncode, err.strip()[-500:]))
                results[start] = (int(pairs["first_frame_us"]) - started_us) / 1000.0
                results[start + "_in_process"] = float(out.split()[1])
                for key, value in pairs.items():
                    if key.endswith("_ms"):
                        results[start + "_" + key] = float(value)
        finally:
            shutil_rmtree(data_dir)
        return results

    def chatui(self):
        group = "chatui"
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            self.notes.setdefault(group, {})["all"] = "no display (run under xvfb-run)"
            return SKIP
        if not os.access(self.binary("bench-chat-ui"), os.X_OK):
            self.notes.setdefault(group, {})["all"] = "bench-chat-ui is not built (GTK off?)"
            return 0
        runs = 1 if self.smoke else self.args.chat_runs
        for run in range(runs):
            for backend in rotated(WEFT_BACKENDS, run):
                for mode in ("flood", "rss"):
                    key = "%s-%s" % (backend, mode)
                    if key in self.notes.get(group, {}):
                        continue
                    try:
                        values = self.chat_ui(group, backend, mode)
                    except BenchError as error:
                        self.fail(group, key, error)
                        continue
                    runs_so_far = self.results.get(group, [])
                    merged = dict(runs_so_far[run].get(backend, {})) if len(runs_so_far) > run else {}
                    merged.update({mode + "_" + k: v for k, v in values.items()})
                    self.record(group, run, backend, merged)
                    if mode == "flood":
                        print("  chatui run %d %s: %.1f fps unloaded, %.1f loaded (%.0f %%), stall %.1f ms "
                              "(own CPU in it %.1f ms, longest own run %.1f ms), %.0f messages shown/s" % (
                                  run + 1, backend, values["fps_unloaded"], values["fps_loaded"],
                                  100 * values["fps_ratio"], values["stall_loaded_ms"], values["stall_busy_ms"],
                                  values["busy_max_ms"], values["shown_per_s"]), flush=True)
                    else:
                        print("  chatui run %d %s: %.0f messages in %.1f s, %.0f rows, RSS %.1f MB; scrolling "
                              "%.1f fps" % (run + 1, backend, values["received"], values["seconds"], values["rows"],
                                            values["rss_mb"], values["scroll_fps"]), flush=True)
        startups = 1 if self.smoke else self.args.startup_runs
        for gl in (False, True):
            name = "startup_gl" if gl else "startup"
            for run in range(startups):
                try:
                    values = self.chat_startup(group, run, gl)
                except BenchError as error:
                    self.fail(group, name, error)
                    break
                self.record(group + "_" + name, run, "demo", values)
                print("  chatui startup%s run %d: %.0f ms (first start), %.0f ms (again)" % (
                    " (GL probe on)" if gl else "", run + 1, values["first"], values["again"]), flush=True)
        return 0

    # --- micro-benchmarks ----------------------------------------------

    def micro(self, group, command, parse):
        for run in range(self.runs):
            try:
                out = self.run_client(group, command, timeout=300)
                for key, value in parse(out).items():
                    self.record(group, run, key, value)
                print("  %s run %d: %s" % (group, run + 1, json.dumps(self.results[group][run])), flush=True)
            except BenchError as error:
                self.fail(group, "all", error)
                return

    def timers(self):
        # One process per library, so that none inherits another's heap.
        libraries = ["weft", "libevent", "libuv"]
        for run in range(self.runs):
            for library in libraries:
                command = self.client_pin() + [self.binary("bench-timers"), "--only", library]
                if self.smoke:
                    command.append("--smoke")
                try:
                    lines = parse_lines(self.run_client("timers", command, timeout=300))
                except BenchError as error:
                    self.fail("timers", library, error)
                    continue
                for key, values in lines.items():
                    self.record("timers", run, key.split("/", 1)[1], values["ns_per_op"])
            print("  timers run %d: %s" % (run + 1, json.dumps(self.results.get("timers", [{}])[-1])), flush=True)

    def threads(self):
        command = [self.binary("bench-threads")] + (["--smoke"] if self.smoke else [])

        def parse(out):
            results = {}
            for key, values in parse_lines(out).items():
                _, backend, what = key.split("/")
                results.setdefault(backend, {}).update(values)
            return results

        self.micro("threads", command, parse)

    def deferred(self):
        command = self.client_pin() + [self.binary("bench-deferred")] + (
            ["--smoke"] if self.smoke else ["--seconds", "0.5"])
        self.micro("deferred", command,
                   lambda out: {k.split("/", 1)[1]: v["ops_per_sec"] for k, v in parse_lines(out).items()})

    def irc(self):
        command = self.client_pin() + [self.binary("bench-irc-parse")] + (
            ["--smoke"] if self.smoke else ["--seconds", "0.5"])
        self.micro("irc", command,
                   lambda out: {k: v["ops_per_sec"] for k, v in parse_lines(out).items()})

    def idle(self):
        command = [self.binary("bench-idle")] + (["--smoke"] if self.smoke else ["--seconds", "1"])
        self.micro("idle", command, lambda out: {k.split("/", 1)[1]: v for k, v in parse_lines(out).items()})

    def sqlite(self):
        # The database files go in the build directory: the temporary
        # directory may be a tmpfs, where fsync costs nothing. Every run
        # measures inserts and, on each backend, the idle floor and the
        # stalls under writes, for synchronous=NORMAL and FULL (about 50 s).
        command = [self.binary("bench-sqlite"), "--dir", self.bin_dir] + (
            ["--smoke"] if self.smoke else ["--seconds", "1.2"])
        notes = self.notes.setdefault("sqlite", {})
        filesystem = command_output(["stat", "-f", "-c", "%T", self.bin_dir])
        notes["database directory"] = "%s (%s)" % (self.bin_dir, filesystem or "file system not known")
        load_before = os.getloadavg()[0]
        self.micro("sqlite", command, lambda out: {k.split("/", 1)[1]: v for k, v in parse_lines(out).items()})
        notes["load average"] = "%.2f before, %.2f after (1-minute, %d CPUs)" % (
            load_before, os.getloadavg()[0], os.cpu_count() or 0)

    def chat_fanout(self):
        """The chat server against ngircd and InspIRCd (bench/chat_bench.py):
        1,000 receivers in one channel, one sender; every server started
        afresh for each run, runs interleaved."""
        group = "chat-fanout"
        build_dir = os.path.dirname(self.bin_dir)
        receivers, messages = (50, 20) if self.smoke else (1000, 2000)
        servers = [name for name in self.args.server or CHAT_SERVERS if name in CHAT_SERVERS]
        installed = {"ngircd": "/usr/sbin/ngircd", "inspircd": "/usr/sbin/inspircd",
                     "weft-chat-server": os.path.join(build_dir, "demo-server", "weft-chat-server")}
        for name in list(servers):
            if not os.access(installed[name], os.X_OK):
                self.notes.setdefault("missing", {})[name] = "not built or not installed"
                servers.remove(name)
        with tempfile.TemporaryDirectory(prefix="bench-chat-") as work:
            for run in range(self.runs):
                for name in rotated(servers, run):
                    path = os.path.join(work, "%s-%d.json" % (name, run))
                    command = [sys.executable, os.path.join(HERE, "chat_bench.py"), "--build-dir", build_dir,
                               "--only", "fanout", "--servers", name, "--receivers", str(receivers),
                               "--messages", str(messages), "--output", path]
                    try:
                        self.run_client(group, command, timeout=600)
                        with open(path) as f:
                            result = json.load(f)["fanout"][name]
                        if "error" in result:
                            raise BenchError(result["error"])
                    except BenchError as error:
                        self.fail(group, name, error)
                        continue
                    print("  run %d %s: %s deliveries/s, %s us server CPU per delivery" % (
                        run + 1, name, result["deliveries_per_s"], result["server_cpu_us_per_delivery"]), flush=True)
                    self.record(group, run, name, result)

    def soup(self):
        """libweft-soup against plain libsoup (bench/bench-soup.c), client and
        server in one process: WebSocket echo and HTTP keep-alive through the
        bridge on every backend and through plain libsoup on a GMainLoop, and
        a ping-pong with and without 1,000 idle GLib fds on epoll (GLib
        hosted) and on the glib backend. One process per measurement; runs
        interleaved."""
        group = "soup"
        seconds = "0.3" if self.smoke else "2"
        series = [("ws-echo", impl, backend, "100" if not self.smoke else "4")
                  for impl, backend in [("weft", b) for b in WEFT_BACKENDS] + [("plain", "glib")]]
        series += [("http-get", impl, backend, "4")
                   for impl, backend in [("weft", b) for b in WEFT_BACKENDS] + [("plain", "glib")]]
        series += [("hosting", None, backend, fds) for fds in ("0", "1000") for backend in ("epoll", "glib")]
        for run in range(self.runs):
            for mode, impl, backend, count in rotated(series, run):
                command = [self.binary("bench-soup"), mode] + ([impl] if impl else []) + [backend, count, seconds]
                key = "%s/%s/%s" % (mode, impl or "weft", backend) + ("/%s" % count if mode == "hosting" else "")
                try:
                    out = self.run_client(group, command, timeout=120).split()
                    self.record(group, run, key, {"rate": float(out[0]), "cpu_rate": float(out[1])})
                except (BenchError, IndexError, ValueError) as error:
                    self.fail(group, key, error)
            print("  soup run %d: %s" % (run + 1, ", ".join(
                "%s %.0f/CPU-s" % (k, v["cpu_rate"]) for k, v in sorted(self.results.get(group, [{}])[-1].items()))),
                flush=True)

    def chat_memory(self):
        """The chat server's memory (bench/chat_bench.py): per idle client
        against ngircd and InspIRCd (1,000 registered clients in one
        channel), and per SSE listener of weft-chat-server (10,000 on one
        channel's event feed) with the time to push one message to all.
        One run: memory hardly varies."""
        group = "chat-memory"
        build_dir = os.path.dirname(self.bin_dir)
        idle, listeners = (20, 50) if self.smoke else (1000, 10000)
        servers = [name for name in self.args.server or CHAT_SERVERS if name in CHAT_SERVERS]
        with tempfile.TemporaryDirectory(prefix="bench-chat-") as work:
            path = os.path.join(work, "memory.json")
            command = [sys.executable, os.path.join(HERE, "chat_bench.py"), "--build-dir", build_dir,
                       "--only", "idle,sse", "--servers", ",".join(servers), "--idle", str(idle),
                       "--sse", str(listeners), "--output", path]
            try:
                self.run_client(group, command, timeout=900)
                with open(path) as f:
                    result = json.load(f)
            except BenchError as error:
                self.fail(group, "all", error)
                return
        for name, values in result["idle"].items():
            if "error" in values:
                self.fail(group, name, values["error"])
            else:
                self.record(group, 0, name, values)
        if result.get("sse") and "error" in result["sse"]:
            self.fail(group, "sse", result["sse"]["error"])
        elif result.get("sse"):
            self.record(group, 0, "sse", result["sse"])
        print("  chat-memory: %s" % json.dumps(self.results.get(group, [{}])[0]), flush=True)

    # --- all -----------------------------------------------------------

    def run(self, groups):
        status = 0
        for group in groups:
            started = time.monotonic()
            print("== %s" % group, flush=True)
            if group == "echo100":
                self.pingpong(group, 100)
            elif group == "echo1000":
                self.pingpong(group, 1000)
            elif group == "bulk":
                self.bulk()
            elif group == "memory":
                self.memory()
            elif group == "gui":
                if self.gui() == SKIP and len(groups) == 1:
                    status = SKIP
            elif group == "profile":
                self.profile()
            elif group == "timers":
                self.timers()
            elif group == "threads":
                self.threads()
            elif group == "deferred":
                self.deferred()
            elif group == "irc":
                self.irc()
            elif group == "idle":
                self.idle()
            elif group == "sqlite":
                self.sqlite()
            elif group == "soup":
                self.soup()
            elif group == "chat-fanout":
                self.chat_fanout()
            elif group == "chat-memory":
                self.chat_memory()
            elif group == "chatui":
                if self.chatui() == SKIP and len(groups) == 1:
                    status = SKIP
            self.notes.setdefault("durations", {})[group] = round(time.monotonic() - started, 1)
        return status


def callgrind_total(path):
    with open(path) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                return int(line.split()[1])
    raise BenchError("no totals in %s" % path)


def callgrind_functions(path):
    """{function (library): self instructions} from callgrind_annotate."""
    out = subprocess.run(["callgrind_annotate", "--threshold=100", path], capture_output=True, text=True).stdout
    functions = {}
    for line in out.splitlines():
        match = re.match(r"\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(\S+)(?:\s+\[(\S+)\])?", line)
        if not match or "PROGRAM TOTALS" in line:
            continue
        function = match.group(2).split(":", 1)[-1]
        library = os.path.basename(match.group(3) or "?")
        key = "%s (%s)" % (function, library)
        functions[key] = functions.get(key, 0) + int(match.group(1).replace(",", ""))
    return functions


def callgrind_top(longer, shorter, round_trips, n=10):
    """The functions that cost the most per round trip: the difference
    between a longer and a shorter run, so that start-up cancels out."""
    a, b = callgrind_functions(longer), callgrind_functions(shorter)
    per_round_trip = {k: (a.get(k, 0) - b.get(k, 0)) / round_trips for k in a}
    top = sorted(per_round_trip.items(), key=lambda item: -item[1])[:n]
    return [[name, round(value, 1)] for name, value in top]


def rotated(names, run):
    """NAMES starting at a different one in each run, so that no server is
    always measured right after the same neighbour."""
    shift = run % len(names) if names else 0
    return names[shift:] + names[:shift]


def shutil_rmtree(path):
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def shutil_which(name):
    import shutil

    return shutil.which(name)


def command_output(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine_facts():
    facts = {}
    with open("/proc/cpuinfo") as f:
        cpuinfo = f.read()
    models = re.findall(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    facts["cpu"] = models[0] if models else platform.processor()
    facts["cpus"] = os.cpu_count()
    mhz = re.findall(r"^cpu MHz\s*:\s*(.*)$", cpuinfo, re.M)
    facts["cpu_mhz"] = mhz[0] if mhz else ""
    with open("/proc/meminfo") as f:
        match = re.search(r"MemTotal:\s*(\d+)", f.read())
    facts["memory_gib"] = round(int(match.group(1)) / 1024 / 1024, 1) if match else None
    facts["kernel"] = " ".join(platform.uname()[i] for i in (0, 2, 4))
    if os.path.exists("/etc/debian_version"):
        with open("/etc/debian_version") as f:
            facts["debian"] = f.read().strip()
    facts["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    facts["loadavg_start"] = os.getloadavg()
    versions = {}
    for module in ("glib-2.0", "gtk4", "libevent", "libuv"):
        versions[module] = command_output(["pkg-config", "--modversion", module])
    versions["twisted"] = command_output([TWISTED_PYTHON, "-c", "import twisted; print(twisted.__version__)"])
    versions["python"] = command_output([TWISTED_PYTHON, "-c", "import platform; print(platform.python_version())"])
    versions["gcc"] = command_output(["gcc", "-dumpfullversion"])
    facts["versions"] = versions
    commit = command_output(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = command_output(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"])
    facts["commit"] = commit + (" (with uncommitted changes)" if dirty else "")
    return facts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--bin-dir", required=True, help="where the benchmark programs were built")
    parser.add_argument("--output", help="directory for results.json, BENCHMARKS.md and benchmarks.png")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (default 3)")
    parser.add_argument("--echo-runs", type=int, default=5,
                        help="runs of the 100-connection ping-pong, the main comparison (default 5)")
    parser.add_argument("--memory-runs", type=int, default=1,
                        help="runs of the memory measurement, which hardly varies (default 1)")
    parser.add_argument("--chat-runs", type=int, default=1,
                        help="runs of weft-chat under the flood and to 100,000 messages, per backend (default 1)")
    parser.add_argument("--startup-runs", type=int, default=5,
                        help="starts of weft-chat --demo for the start-up time, each way (default 5)")
    parser.add_argument("--only", help="comma-separated groups: " + ", ".join(GROUPS + list(ALIASES)))
    parser.add_argument("--server", action="append", help="limit echo and GTK runs to this server (repeatable)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin servers and clients to CPUs")
    parser.add_argument("--smoke", action="store_true", help="tiny counts, one run, fail on any error")
    parser.add_argument("--command", help="the command line that started the run, for the report")
    parser.add_argument("--work-dir", default=None, help="where temporary profiles go (default: the system's)")
    args = parser.parse_args()

    groups = []
    for name in (args.only.split(",") if args.only else GROUPS):
        for group in ALIASES.get(name, [name]):
            if group not in GROUPS:
                parser.error("unknown group %s" % group)
            if group not in groups:
                groups.append(group)

    runner = Runner(args)
    facts = machine_facts()
    started = time.monotonic()
    status = runner.run(groups)
    facts["loadavg_end"] = os.getloadavg()
    facts["seconds"] = round(time.monotonic() - started, 1)
    facts["runs"] = runner.runs
    facts["memory_runs"] = 1 if args.smoke else args.memory_runs
    facts["echo_runs"] = 1 if args.smoke else max(args.runs, args.echo_runs)
    facts["pinned"] = bool(runner.pin)
    facts["smoke"] = args.smoke
    facts["command"] = args.command or " ".join(shlex.quote(a) for a in sys.argv)

    document = {
        "facts": facts,
        "groups": groups,
        "results": runner.results,
        "commands": runner.commands,
        "notes": runner.notes,
        "failures": runner.failures,
    }
    if args.output:
        os.makedirs(args.output, exist_ok=True)
        results_path = os.path.join(args.output, "results.json")
        with open(results_path, "w") as f:
            json.dump(document, f, indent=1)
        report = subprocess.run([sys.executable, os.path.join(HERE, "report.py"), results_path,
                                 "--output", args.output])
        if report.returncode != 0:
            runner.failures.append("report.py failed")

    print("done in %.0f s" % facts["seconds"])
    if args.smoke and runner.failures:
        print("FAILED:\n  " + "\n  ".join(runner.failures))
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
