#!/usr/bin/python3
"""HTTP benchmark: latchkey beside nginx (a fixed /users/me answer of
the same size) and the tutorial's FastAPI app under uvicorn (1 and 2
workers), all started here on loopback on free ports, driven by wrk in
bounded runs, and stopped by PID at the end. Two measuring sticks run
beside them: floor_mhd (libmicrohttpd answering the fixed body, run by
latchkey's own HTTP threads with latchkey's per-connection memory) and
floor_epoll (a bare epoll loop answering it), both built from
bench/floor/. Prints one Markdown table with the ratios of latchkey to
nginx, to the best FastAPI run and to floor_mhd. It measures and
reports; it asserts nothing.

usage: /usr/bin/python3 bench/http_bench.py
environment:
  BENCH_SECONDS       length of each wrk run (default 10)
  BENCH_CONNS         connection counts for GET /users/me (default 16,64,256)
  BENCH_ROUNDS        rounds of the GET /users/me runs (default 3): each
                      round runs every server once, one after another,
                      so the machine's load drifts over all of them
                      alike; the table gives medians and the median of
                      the per-round ratios
  BENCH_STORM_PAIRS   (no logins, login storm) pairs for the storm p99
                      (default 5)
  BENCH_LATCHKEY_BIN  the binary (default build/latchkey)
  BENCH_LATCHKEY_ARGS extra `latchkey serve` flags, e.g. "--workers 1"
  BENCH_BASELINE_BIN  another latchkey binary (an older build, say) run
                      beside the others as "baseline", for a before and
                      after in the same run
  BENCH_SKIP          comma list of servers to skip: nginx,fastapi1,
                      fastapi2,floor_mhd,floor_epoll
  BENCH_PIN           SERVER_CPUS:CLIENT_CPUS, e.g. 1:0: every server runs
                      on the first CPU list and wrk on the second
                      (taskset), so that the client's work no longer
                      takes CPU from the servers; the bcrypt limit then
                      counts the servers' CPUs
  BENCH_JSON          also write the raw figures to this file
"""
import json
import os
import pathlib
import platform
import re
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "wrk" / "bench.lua"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNS = [int(c) for c in
         os.environ.get("BENCH_CONNS", "16,64,256").split(",")]
SKIP = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
STORM_PAIRS = int(os.environ.get("BENCH_STORM_PAIRS", "5"))
FLOORS = ("floor_mhd", "floor_epoll")
PIN = os.environ.get("BENCH_PIN", "")
SERVER_CPUS, CLIENT_CPUS = PIN.split(":") if PIN else ("", "")


def cpu_list_len(spec):
    """How many CPUs a taskset list such as 0,2-3 names."""
    n = 0
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        n += int(hi or lo) - int(lo) + 1
    return n


SERVER_NCPU = cpu_list_len(SERVER_CPUS) if SERVER_CPUS else os.cpu_count()


def pinned(cmd, cpus):
    """cmd run on the CPU list cpus (taskset), or as is."""
    return ["taskset", "-c", cpus] + cmd if cpus else cmd
ME_BODY = (b'{"username":"janedoe","email":"janedoe@example.com",'
           b'"full_name":"Jane Doe","disabled":false}')
LOGIN_CONNS = 8       # enough to keep every hashing worker busy
STORM_ME_CONNS = 16   # /users/me load beside the login storm
MANY_CONNS = 1000


def free_port():
    """A port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port, proc, path="/users/me", timeout=30.0):
    """Wait until the server on port answers any HTTP status."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{path}",
                                   timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"no answer on port {port}")


def tree_pids(root):
    """root and all its descendants, from /proc."""
    kids = {}
    for d in pathlib.Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def rss_kib(root):
    """Summed VmRSS (KiB) of a process tree."""
    total = 0
    for pid in tree_pids(root):
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


class RssSampler:
    """Peak tree RSS while a block runs, sampled every 100 ms."""

    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0, threading.Event()

    def __enter__(self):
        def loop():
            while not self.stop.is_set():
                self.peak = max(self.peak, rss_kib(self.pid))
                time.sleep(0.1)
        self.t = threading.Thread(target=loop, daemon=True)
        self.t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.t.join()
        self.peak = max(self.peak, rss_kib(self.pid))


def wrk_start(port, mode, conns, seconds, token, threads=2):
    env = dict(os.environ, BENCH_MODE=mode, BENCH_TOKEN=token)
    cmd = ["wrk", f"-t{min(threads, conns)}", f"-c{conns}",
           f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA),
           f"http://127.0.0.1:{port}"]
    return subprocess.Popen(pinned(cmd, CLIENT_CPUS), env=env,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def wrk_finish(p):
    out, _ = p.communicate(timeout=SECONDS + 120)
    m = re.search(r"^BENCH (.*)$", out, re.M)
    if m is None:
        raise RuntimeError("wrk gave no figures:\n" + out)
    f = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    f["rps"] = f["requests"] / (f["duration_us"] / 1e6)
    return f


def wrk(port, mode, conns, seconds, token, threads=2):
    return wrk_finish(wrk_start(port, mode, conns, seconds, token, threads))


class Server:
    """One server under test, started on a free port, stopped by PID."""

    def __init__(self, name, cmd, env, port, tmp, login=True):
        self.name, self.port, self.login = name, port, login
        self.log = open(tmp / f"{name}.log", "wb")
        self.proc = subprocess.Popen(pinned(cmd, SERVER_CPUS), env=env,
                                     stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        wait_http(port, self.proc)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def start_latchkey(tmp, secret, name="latchkey", binary=None):
    port = free_port()
    binary = binary or os.environ.get("BENCH_LATCHKEY_BIN",
                                      str(ROOT / "build" / "latchkey"))
    cmd = [binary, "serve", "--demo", "--data-dir",
           str(tmp / f"{name}-data"), "--listen", f"127.0.0.1:{port}"]
    cmd += shlex.split(os.environ.get("BENCH_LATCHKEY_ARGS", ""))
    env = dict(os.environ, LATCHKEY_SECRET_KEY=secret)
    return Server(name, cmd, env, port, tmp)


NGINX_CONF = """daemon off;
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    server {{
        listen 127.0.0.1:{port};
        location = /users/me {{
            default_type application/json;
            return 200 '{body}';
        }}
    }}
}}
"""


def start_nginx(tmp):
    port = free_port()
    prefix = tmp / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, port=port,
                                      body=ME_BODY.decode(),
                                      workers=SERVER_NCPU))
    cmd = ["nginx", "-p", str(prefix), "-c", str(conf),
           "-e", str(prefix / "error.log")]
    return Server("nginx", cmd, dict(os.environ), port, tmp, login=False)


def start_floor(tmp, name):
    """A measuring stick from bench/floor/ (built by `make`)."""
    port = free_port()
    cmd = [str(ROOT / "build" / name), str(port), str(SERVER_NCPU)]
    return Server(name, cmd, dict(os.environ), port, tmp, login=False)


def start_fastapi(tmp, secret, workers):
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "--app-dir",
           str(ROOT / "bench"), "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--no-access-log",
           "--log-level", "warning", "fastapi_app:app"]
    env = dict(os.environ, LATCHKEY_SECRET_KEY=secret)
    return Server(f"fastapi{workers}", cmd, env, port, tmp)


def get_token(port):
    form = urllib.parse.urlencode({"username": "janedoe",
                                   "password": "hashsecret"}).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/token",
                                data=form, timeout=30) as r:
        return json.load(r)["access_token"]


def check_me(port, token):
    """The /users/me body, to make sure every server answers alike."""
    rq = urllib.request.Request(f"http://127.0.0.1:{port}/users/me",
                                headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(rq, timeout=10) as r:
        return json.loads(r.read())


def cpu_ticks(root):
    """Summed user + system CPU time (clock ticks) of a process tree."""
    total = 0
    for pid in tree_pids(root):
        try:
            stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total


def wrk_cpu(srv, mode, conns, seconds, token, threads=2):
    """A wrk run that also gives the server's CPU time per request."""
    t0 = cpu_ticks(srv.proc.pid)
    f = wrk(srv.port, mode, conns, seconds, token, threads)
    ticks = cpu_ticks(srv.proc.pid) - t0
    f["cpu_us"] = (ticks / os.sysconf("SC_CLK_TCK") * 1e6 /
                   max(f["requests"], 1))
    return f


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def measure_me(servers, token, results):
    """GET /users/me at each connection count: ROUNDS rounds, each
    running every server once in turn. Each figure is the median over
    the rounds; ratios[(name, c)] is the median of latchkey's per-round
    ratio to server name."""
    runs = {srv.name: {c: [] for c in CONNS} for srv in servers}
    for srv in servers:            # a first, unmeasured run for each
        wrk(srv.port, "me", max(CONNS), 2, token)
    for c in CONNS:
        for r in range(ROUNDS):
            for srv in servers:
                with RssSampler(srv.proc.pid) as s:
                    f = wrk_cpu(srv, "me", c, SECONDS, token)
                res = results[srv.name]
                res["rss_load"] = max(res.get("rss_load", 0), s.peak)
                runs[srv.name][c].append(f)
                print(f"  round {r + 1} {srv.name} me c={c}: "
                      f"{f['rps']:.0f}/s, {f['cpu_us']:.1f} us CPU/req",
                      file=sys.stderr)
    lk = runs["latchkey"]
    for srv in servers:
        for c in CONNS:
            rs = runs[srv.name][c]
            results[srv.name][f"me_c{c}"] = {
                k: median([f[k] for f in rs])
                for k in ("rps", "p50_us", "p99_us", "cpu_us", "non2xx")}
            results["ratios"][(srv.name, c)] = median(
                [a["rps"] / b["rps"] for a, b in zip(lk[c], rs)])
            results["rounds"][(srv.name, c)] = [f["rps"] for f in rs]


def measure_rest(srv, token):
    """The other figures of one server, in bounded wrk runs."""
    res = {}
    with RssSampler(srv.proc.pid) as s:
        res["me_c1000"] = wrk_cpu(srv, "me", MANY_CONNS,
                                  max(5, SECONDS // 2), token)
    res["rss_1000"] = s.peak
    if not srv.login:
        res["me_storm_base"] = wrk(srv.port, "me", STORM_ME_CONNS, SECONDS,
                                   token, threads=1)
        return res
    if srv.name == "latchkey":
        res["bcrypt_before"] = bcrypt_limit()
    res["login"] = wrk(srv.port, "login", LOGIN_CONNS, SECONDS, token,
                       threads=1)
    if srv.name == "latchkey":
        wait_idle(srv)             # the logins the run left queued
        res["bcrypt_after"] = bcrypt_limit()
    print(f"  {srv.name} login: {res['login']['rps']:.1f}/s",
          file=sys.stderr)
    res.update(measure_storm(srv, token))
    return res


def wait_idle(srv, limit=60.0):
    """Wait until the server uses no CPU for half a second (logins
    queued by a finished wrk run are still being hashed until then)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        t0 = cpu_ticks(srv.proc.pid)
        time.sleep(0.5)
        if cpu_ticks(srv.proc.pid) - t0 <= 1:
            return


def measure_storm(srv, token):
    """GET /users/me p99 without and with a login storm, in STORM_PAIRS
    pairs (p99 on this shared machine moves a lot from run to run):
    medians of each, the median of the per-pair ratios and the ratio of
    the medians."""
    pairs = []
    for r in range(STORM_PAIRS):
        wait_idle(srv)
        base = wrk(srv.port, "me", STORM_ME_CONNS, SECONDS, token,
                   threads=1)
        lp = wrk_start(srv.port, "login", LOGIN_CONNS, SECONDS, token, 1)
        mp = wrk_start(srv.port, "me", STORM_ME_CONNS, SECONDS, token, 1)
        storm, login = wrk_finish(mp), wrk_finish(lp)
        pairs.append((base, storm, login))
        print(f"  round {r + 1} {srv.name} storm: p99 {base['p99_us']} -> "
              f"{storm['p99_us']} us, {login['rps']:.2f} logins/s",
              file=sys.stderr)
    wait_idle(srv)

    def med(i, k):
        return median([p[i][k] for p in pairs])
    return {"me_storm_base": {"p99_us": med(0, "p99_us")},
            "me_storm": {"p99_us": med(1, "p99_us"), "rps": med(1, "rps")},
            "login_storm": {"rps": med(2, "rps")},
            "storm_ratio": median([p[1]["p99_us"] / p[0]["p99_us"]
                                   for p in pairs]),
            "storm_ratio_of_medians": med(1, "p99_us") / med(0, "p99_us")}


def bcrypt_limit():
    """(verifies/s on one core, cores x that) for bcrypt at cost 12."""
    out = subprocess.run(pinned([str(ROOT / "build" / "pwhash_bench"),
                                 "bcrypt"], SERVER_CPUS),
                         capture_output=True, text=True, check=True,
                         timeout=120).stdout
    per = float(re.search(r"verifies_per_sec=([0-9.]+)", out).group(1))
    return per, per * SERVER_NCPU


def machine():
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = open("/proc/meminfo").readline().split()[1]
    return (f"nproc {os.cpu_count()}, CPU {cpu}, memory "
            f"{int(mem) // 1024} MiB, kernel {platform.release()}")


def fmt_ms(us):
    return f"{us / 1000:.2f} ms"


def ratio(a, b):
    """latchkey's figure over the other's (for latency, lower is better)."""
    if not a or not b:
        return "n/a"
    return f"{a / b:.2f}"


def rows(r):
    """(label, key function, formatter, per-round ratio key or None) of
    the table."""
    out = []
    for c in CONNS + [MANY_CONNS]:
        k = f"me_c{c}"
        out.append((f"GET /users/me c={c} req/s",
                    lambda x, k=k: x.get(k, {}).get("rps"),
                    lambda v: f"{v:,.0f}", c if c in CONNS else None))
        out.append((f"GET /users/me c={c} p50",
                    lambda x, k=k: x.get(k, {}).get("p50_us"), fmt_ms, None))
        out.append((f"GET /users/me c={c} p99",
                    lambda x, k=k: x.get(k, {}).get("p99_us"), fmt_ms, None))
        out.append((f"GET /users/me c={c} server CPU/request",
                    lambda x, k=k: x.get(k, {}).get("cpu_us"),
                    lambda v: f"{v:.1f} us", None))
    out += [
        (f"POST /token c={LOGIN_CONNS} logins/s",
         lambda x: x.get("login", {}).get("rps"),
         lambda v: f"{v:.2f}", None),
        (f"GET /users/me c={STORM_ME_CONNS} p99, no logins",
         lambda x: x.get("me_storm_base", {}).get("p99_us"), fmt_ms, None),
        (f"GET /users/me c={STORM_ME_CONNS} p99, login storm",
         lambda x: x.get("me_storm", {}).get("p99_us"), fmt_ms, None),
        (f"GET /users/me c={STORM_ME_CONNS} req/s, login storm",
         lambda x: x.get("me_storm", {}).get("rps"),
         lambda v: f"{v:,.0f}", None),
        ("logins/s during the storm",
         lambda x: x.get("login_storm", {}).get("rps"),
         lambda v: f"{v:.2f}", None),
        ("RSS idle", lambda x: x.get("rss_idle"),
         lambda v: f"{v / 1024:.1f} MiB", None),
        ("RSS peak under load", lambda x: x.get("rss_load"),
         lambda v: f"{v / 1024:.1f} MiB", None),
        (f"RSS peak with {MANY_CONNS} connections",
         lambda x: x.get("rss_1000"),
         lambda v: f"{v / 1024:.1f} MiB", None),
    ]
    return out


def best_fastapi(results):
    """The FastAPI run with the most GET /users/me per second."""
    runs = [n for n in ("fastapi1", "fastapi2") if n in results]
    if not runs:
        return None
    top = max(CONNS)
    return max(runs, key=lambda n: results[n][f"me_c{top}"]["rps"])


def table(results):
    names = [n for n in ("latchkey", "baseline", "nginx", "fastapi1",
                         "fastapi2") + FLOORS if n in results]
    best = best_fastapi(results)
    others = ["nginx", best, "floor_mhd"]
    head = names + ["latchkey / nginx", f"latchkey / best FastAPI ({best})",
                    "latchkey / floor_mhd"]
    lines = ["| figure | " + " | ".join(head) + " |",
             "| --- |" + " ---: |" * len(head)]
    lk = results["latchkey"]
    for label, get, fmt, rkey in rows(results):
        cells = [fmt(get(results[n])) if get(results[n]) is not None
                 else "n/a" for n in names]
        for other in others:
            o = results.get(other, {}) if other else {}
            if rkey is not None and (other, rkey) in results["ratios"]:
                cells.append(f"{results['ratios'][(other, rkey)]:.2f}")
            else:
                cells.append(ratio(get(lk), get(o))
                             if get(o) is not None else "n/a")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    bc_per = (lk["bcrypt_before"][0] + lk["bcrypt_after"][0]) / 2
    bc_limit = bc_per * SERVER_NCPU
    lines.append("")
    lines.append(f"bcrypt cost 12 (measured just before and after the "
                 f"login run, mean): {bc_per:.2f} verifies/s on one core; "
                 f"limit = {SERVER_NCPU} cores x that = "
                 f"{bc_limit:.2f} logins/s; latchkey reached "
                 f"{lk['login']['rps'] / bc_limit:.2f} of it.")
    lines.append(f"latchkey GET /users/me p99 during the login storm / "
                 f"without logins: median of the {STORM_PAIRS} pairs' "
                 f"ratios {lk['storm_ratio']:.2f}, ratio of the medians "
                 f"{lk['storm_ratio_of_medians']:.2f}.")
    lines += ceilings(results, best)
    lines += [""] + goals(results, best, lk["login"]["rps"] / bc_limit)
    return "\n".join(lines)


def ceilings(results, best):
    """What the other servers allow on this machine, from the same
    rounds: how far nginx's fixed answer is from FastAPI, and how close
    the measuring sticks come to nginx."""
    out = []
    rounds = results["rounds"]
    for name, other in (("nginx", best), ("floor_mhd", "nginx"),
                        ("floor_epoll", "nginx"), ("baseline", "nginx"),
                        ("latchkey", "baseline")):
        rs = [median([a / b for a, b in zip(rounds[(name, c)],
                                            rounds[(other, c)])])
              for c in CONNS if (name, c) in rounds and (other, c) in rounds]
        if rs:
            out.append(f"{name} / {other} in GET /users/me req/s "
                       f"(same rounds): {min(rs):.2f}-{max(rs):.2f}.")
    return out


def goals(results, best, login_share):
    """Issue 7's goals against this run, as a Markdown table."""
    def span(other):
        rs = [results["ratios"][(other, c)] for c in CONNS
              if (other, c) in results["ratios"]]
        return (min(rs), max(rs)) if rs else None

    lk = results["latchkey"]
    storm = lk["storm_ratio"]
    rows = [("| goal | result | met |", None), ("| --- | --- | --- |", None)]
    for other, want in (("nginx", 0.8), (best, 15.0)):
        sp = span(other) if other else None
        if sp:
            rows.append((f"| GET /users/me >= {want:g}x {other} | "
                         f"{sp[0]:.2f}-{sp[1]:.2f} | ", sp[0] >= want))
    if best:
        cpu = [results[best][f"me_c{c}"]["cpu_us"] /
               lk[f"me_c{c}"]["cpu_us"] for c in CONNS]
        rows.append((f"| (the same read as server CPU per request: "
                     f"{best} / latchkey >= 15) | {min(cpu):.1f}-"
                     f"{max(cpu):.1f} | ", min(cpu) >= 15.0))
    rows.append((f"| logins >= 0.9 of the bcrypt limit | "
                 f"{login_share:.2f} | ", login_share >= 0.9))
    rows.append((f"| p99 during a login storm <= 2x | {storm:.2f}x | ",
                 storm <= 2.0))
    rows.append((f"| RSS idle < 16 MiB | {lk['rss_idle'] / 1024:.1f} MiB | ",
                 lk["rss_idle"] < 16 * 1024))
    rows.append((f"| RSS with {MANY_CONNS} connections < 64 MiB | "
                 f"{lk['rss_1000'] / 1024:.1f} MiB | ",
                 lk["rss_1000"] < 64 * 1024))
    return [t if met is None else t + ("yes |" if met else "no |")
            for t, met in rows]


def start_all(tmp, secret):
    """latchkey first (its token is the one every server checks), then
    the others that are not skipped; all run side by side, idle while
    another is measured."""
    servers = [start_latchkey(tmp, secret)]
    starters = [("nginx", lambda: start_nginx(tmp)),
                ("fastapi1", lambda: start_fastapi(tmp, secret, 1)),
                ("fastapi2", lambda: start_fastapi(tmp, secret, 2))]
    starters += [(n, lambda n=n: start_floor(tmp, n)) for n in FLOORS]
    if os.environ.get("BENCH_BASELINE_BIN"):
        starters.insert(0, ("baseline", lambda: start_latchkey(
            tmp, secret, "baseline", os.environ["BENCH_BASELINE_BIN"])))
    for name, start in starters:
        if name not in SKIP:
            servers.append(start())
    return servers


def main():
    results = {"ratios": {}, "rounds": {}}
    secret = secrets.token_hex(32)
    print(f"machine: {machine()}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="lk-bench-") as d:
        tmp = pathlib.Path(d)
        servers = []
        try:
            servers = start_all(tmp, secret)
            token = get_token(servers[0].port)
            body = check_me(servers[0].port, token)
            for srv in servers:
                if check_me(srv.port, token) != body:
                    raise RuntimeError(f"{srv.name}: different /users/me")
                results[srv.name] = {"rss_idle": rss_kib(srv.proc.pid)}
            measure_me(servers, token, results)
            for srv in servers:
                results[srv.name].update(measure_rest(srv, token))
        finally:
            for srv in servers:
                srv.stop()
    where = (f"Servers pinned to CPU {SERVER_CPUS}, wrk to CPU "
             f"{CLIENT_CPUS}" if PIN else
             "Client (wrk) and servers share these cores")
    print(f"\nMachine: {machine()}. {where}. Each wrk run {SECONDS} s; "
          f"GET /users/me figures are medians of {ROUNDS} rounds.\n")
    print(table(results))
    if os.environ.get("BENCH_JSON"):
        for k in ("ratios", "rounds"):
            results[k] = {f"{n}@{c}": v for (n, c), v in results[k].items()}
        pathlib.Path(os.environ["BENCH_JSON"]).write_text(
            json.dumps({"results": results}, indent=1))


if __name__ == "__main__":
    main()
