#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The chat server against ngircd and InspIRCd, on this machine:

- fan-out: N receivers in one channel, one sender sending M messages as fast
  as each server reads them; deliveries per second, and server CPU time per
  delivered message (from /proc/PID/stat);
- memory per idle registered client (server RSS before and after N clients);
- weft-chat-server only: N SSE listeners on one channel, memory per listener
  and the time to push one message to all of them.

    chat_bench.py --build-dir _build [--receivers 1000] [--messages 2000]
                  [--idle 1000] [--sse 10000] [--only fanout,idle,sse]
                  [--servers weft-chat-server,ngircd,inspircd] [--output results.json]

Every server gets the same limits: no flood penalty, large send queues.
Servers that are not installed are skipped. For docs/BENCHMARKS.md,
bench/run.py's chat-fanout group runs the fan-out several times, interleaved,
and its chat-memory group the idle clients and SSE listeners once.
"""
import argparse
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

NGIRCD = "/usr/sbin/ngircd"
INSPIRCD = "/usr/sbin/inspircd"
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on port %d" % port)


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Server:
    def __init__(self, name, argv, port, http_port=None, pid_file=None, workdir=None):
        self.name, self.argv, self.port, self.http_port = name, argv, port, http_port
        self.pid_file, self.workdir = pid_file, workdir
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(port)
        self.pid = self.process.pid
        if pid_file:
            # ngircd drops privileges in a child of its own? It does not fork
            # with --nodaemon; the pid file names the serving process anyway.
            deadline = time.monotonic() + 5
            while not os.path.exists(pid_file) and time.monotonic() < deadline:
                time.sleep(0.05)
            if os.path.exists(pid_file):
                self.pid = int(open(pid_file).read().split()[0])

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def start_weft(build_dir, http=False):
    workdir = tempfile.mkdtemp(prefix="bench-wcs-")
    port = free_port()
    argv = [os.path.join(build_dir, "demo-server", "weft-chat-server"), "--reactor=epoll", "--data-dir", workdir,
            "--irc", "tcp:%d:interface=127.0.0.1" % port, "--flood-penalty-ms", "0", "--sendq", "67108864",
            "--max-clients", "100000"]
    http_port = None
    if http:
        http_port = free_port()
        argv += ["--http", "tcp:%d:interface=127.0.0.1" % http_port]
    else:
        argv += ["--no-http"]
    server = Server("weft-chat-server", argv, port, http_port=http_port, workdir=workdir)
    if http_port:
        wait_port(http_port)
    return server


def start_ngircd():
    workdir = tempfile.mkdtemp(prefix="bench-ngircd-")
    os.chmod(workdir, 0o755)
    port = free_port()
    config = ["[Global]", "Name = irc.ngircd.bench", "Info = bench", "AdminInfo1 = bench", "AdminInfo2 = bench",
              "AdminEMail = bench@bench.invalid", "Listen = 127.0.0.1", "Ports = %d" % port,
              "PidFile = %s/ngircd.pid" % workdir, "MotdPhrase = bench"]
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(workdir, nobody.pw_uid, nobody.pw_gid)
        config += ["ServerUID = %d" % nobody.pw_uid, "ServerGID = %d" % nobody.pw_gid]
    config += ["[Limits]", "MaxConnectionsIP = 0", "MaxConnections = 0", "MaxJoins = 0", "MaxPenaltyTime = 0",
               "PingTimeout = 600", "[Options]", "PAM = no", "Ident = no", "DNS = no", "ConnectIPv6 = no"]
    path = os.path.join(workdir, "ngircd.conf")
    with open(path, "w") as f:
        f.write("\n".join(config) + "\n")
    os.chmod(path, 0o644)
    return Server("ngircd", [NGIRCD, "--nodaemon", "-f", path], port, workdir=workdir)


def start_inspircd():
    workdir = tempfile.mkdtemp(prefix="bench-inspircd-")
    port = free_port()
    config = """<server name="irc.inspircd.bench" description="bench" network="Bench">
<admin name="bench" nick="bench" email="bench@bench.invalid">
<bind address="127.0.0.1" port="%d" type="clients">
<connect name="main" allow="*" timeout="60" pingfreq="600" hardsendq="67108864" softsendq="67108864" recvq="65536"
 threshold="100000000" commandrate="100000000" fakelag="no" localmax="100000" globalmax="100000" limit="100000"
 maxchans="20" resolvehostnames="no" useident="no">
<pid file="%s/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="%s/ircd.log">
<performance netbuffersize="10240" somaxconn="1024" softlimit="100000" clonesonconnect="no" quietbursts="yes">
<options defaultmodes="nt">
<channels users="100000" opers="100000">
""" % (port, workdir, workdir)
    path = os.path.join(workdir, "inspircd.conf")
    with open(path, "w") as f:
        f.write(config)
    argv = [INSPIRCD, "--nofork", "--config=" + path]
    if os.geteuid() == 0:
        argv.append("--runasroot")
    return Server("inspircd", argv, port, workdir=workdir)


def fanout(loadgen, server, receivers, messages):
    gen = subprocess.Popen([loadgen, "fanout", str(server.port), str(receivers), str(messages)],
                           stdout=subprocess.PIPE, text=True)
    if gen.stdout.readline().strip() != "ready":
        raise RuntimeError("the receivers did not all register")
    # Only the fan-out counts, not the registrations before it.
    before = cpu_seconds(server.pid)
    line = gen.stdout.readline()
    after = cpu_seconds(server.pid)
    gen.wait(timeout=600)
    if not line:
        raise RuntimeError("the load generator stopped (status %s)" % gen.wait(timeout=60))
    result = json.loads(line)
    result["server_cpu_s"] = round(after - before, 3)
    result["server_cpu_us_per_delivery"] = round((after - before) * 1e6 / max(result["deliveries"], 1), 3)
    result["loadgen_cpu_us_per_delivery"] = round(result["loadgen_cpu_s"] * 1e6 / max(result["deliveries"], 1), 3)
    return result


def idle_memory(loadgen, server, clients):
    before = rss_kib(server.pid)
    gen = subprocess.Popen([loadgen, "idle", str(server.port), str(clients)], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)
    line = gen.stdout.readline()
    if line.strip() != "ready":
        raise RuntimeError("the idle clients did not all register")
    time.sleep(1)  # let the server settle after the last registration
    after = rss_kib(server.pid)
    gen.stdin.close()
    gen.wait(timeout=60)
    return {"clients": clients, "rss_before_kib": before, "rss_after_kib": after,
            "kib_per_client": round((after - before) / clients, 2)}


def sse(loadgen, server, listeners):
    before = rss_kib(server.pid)
    gen = subprocess.Popen([loadgen, "sse", str(server.http_port), str(server.port), str(listeners)],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = gen.stdout.readline()
    if line.strip() != "ready":
        raise RuntimeError("the SSE listeners did not all connect")
    time.sleep(1)
    after = rss_kib(server.pid)
    gen.stdin.write("go\n")
    gen.stdin.flush()
    result = json.loads(gen.stdout.readline())
    gen.stdin.close()
    gen.wait(timeout=60)
    result.update({"rss_before_kib": before, "rss_after_kib": after,
                   "kib_per_listener": round((after - before) / listeners, 2)})
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default="_build")
    parser.add_argument("--receivers", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--sse", type=int, default=10000)
    parser.add_argument("--only", help="comma-separated groups: fanout, idle, sse (default: all)")
    parser.add_argument("--servers", help="comma-separated servers, in this order (default: all installed)")
    parser.add_argument("--output")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else {"fanout", "idle", "sse"}
    if not only <= {"fanout", "idle", "sse"}:
        parser.error("unknown group in --only %s" % args.only)
    loadgen = os.path.join(args.build_dir, "bench", "chat-loadgen")
    results = {"fanout": {}, "idle": {}, "sse": None,
               "machine": {"cpus": os.cpu_count(), "kernel": os.uname().release}}

    known = {"weft-chat-server": lambda: start_weft(args.build_dir)}
    if os.path.exists(NGIRCD):
        known["ngircd"] = start_ngircd
    if os.path.exists(INSPIRCD):
        known["inspircd"] = start_inspircd
    names = args.servers.split(",") if args.servers else list(known)
    starters = [(name, known[name]) for name in names if name in known]
    for name, start in starters:
        for kind in ("fanout", "idle"):
            if kind not in only:
                continue
            server = start()
            try:
                if kind == "fanout":
                    results["fanout"][name] = fanout(loadgen, server, args.receivers, args.messages)
                else:
                    results["idle"][name] = idle_memory(loadgen, server, args.idle)
            except Exception as error:
                results[kind][name] = {"error": str(error)}
            finally:
                server.stop()
            print(name, kind, json.dumps(results[kind][name]), flush=True)
    if args.sse > 0 and "sse" in only:
        server = start_weft(args.build_dir, http=True)
        try:
            results["sse"] = sse(loadgen, server, args.sse)
        except Exception as error:
            results["sse"] = {"error": str(error)}
        finally:
            server.stop()
        print("sse", json.dumps(results["sse"]), flush=True)
    if args.output:
        with open(args.output, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
