"""The HTTP threads' event loop.

libmicrohttpd's own epoll loop (0.9.75, and its later releases too)
fetches ready connections 128 at a time; after a full batch it asks the
kernel for more with its blocking timeout, so when exactly a multiple of
128 connections are ready and nothing else happens, those requests wait
for the idle timeout. latchkey drives libmicrohttpd from its own loop,
where that second look never blocks. These tests make the full batch
happen: the server is stopped (SIGSTOP) while every connection sends a
request, so all of them are ready at once when it resumes.
"""
import os
import resource
import signal
import socket
import time

import pytest

from conftest import HTTP_TIMEOUT, SLOW


def read_answer(c):
    """One HTTP answer with a JSON body from socket c, as bytes."""
    got = b""
    while b"\r\n\r\n" not in got or not got.endswith(b"}"):
        chunk = c.recv(4096)
        assert chunk, "connection closed before the answer"
        got += chunk
    return got


def batch_round(srv, conns, req):
    """Stop the server, send req on every connection, resume it, and
    return how many connections got a 200 within the bound."""
    srv.proc.send_signal(signal.SIGSTOP)
    try:
        time.sleep(0.2)
        for c in conns:
            c.sendall(req)
        time.sleep(0.2)        # every request is in the server's sockets
    finally:
        srv.proc.send_signal(signal.SIGCONT)
    ok = 0
    deadline = time.monotonic() + 10 * SLOW    # for the whole batch
    for c in conns:
        c.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            ok += read_answer(c).startswith(b"HTTP/1.1 200")
        except (socket.timeout, AssertionError):
            pass
    return ok


@pytest.mark.parametrize("threads,count", [("1", 128), ("1", 256),
                                           ("2", 256)])
def test_full_batch_of_ready_connections_is_answered(make_server, threads,
                                                     count):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 2 * count + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    # an idle timeout far above the bound: a stalled batch would wait
    # for it, and this test would see the stall
    srv = make_server(args=("--demo", "--threads", threads,
                            "--timeout", "600", "--request-timeout", "600"))
    tok = srv.token()
    req = (f"GET /users/me HTTP/1.1\r\nHost: x\r\n"
           f"Authorization: Bearer {tok}\r\n\r\n").encode()
    conns = []
    try:
        for _ in range(count):
            conns.append(socket.create_connection(("127.0.0.1", srv.port),
                                                  timeout=HTTP_TIMEOUT))
        for c in conns:        # every connection accepted and answered once
            c.sendall(req)
            assert read_answer(c).startswith(b"HTTP/1.1 200")
        for rnd in range(3):
            ok = batch_round(srv, conns, req)
            assert ok == count, (f"round {rnd}: {ok} of {count} answered; "
                                 f"log: {srv.log_text()[-1500:]}")
    finally:
        for c in conns:
            c.close()


def thread_names(pid):
    names = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            names.append(f.read().strip())
    return names


def test_thread_counts_follow_cpu_affinity(make_server):
    """"One per core" counts the cores the process may run on: pinned
    to one CPU (taskset, a cpuset), latchkey starts one HTTP thread,
    one login worker and one hashing thread."""
    cpus = os.sched_getaffinity(0)
    free = make_server(name="free")
    os.sched_setaffinity(0, {min(cpus)})      # inherited by the server
    try:
        pinned = make_server(name="pinned")
    finally:
        os.sched_setaffinity(0, cpus)
    a, b = thread_names(free.proc.pid), thread_names(pinned.proc.pid)
    assert a.count("lk-http") == len(cpus), a
    assert b.count("lk-http") == 1, b
    assert len(a) - len(b) == 3 * (len(cpus) - 1), (a, b)
    assert pinned.token()


def test_http_threads_are_named(make_server):
    """The HTTP threads are latchkey's (lk-http): one per core by
    default, --threads of them when given; three of them answer many
    connections at once."""
    demo = make_server()
    assert thread_names(demo.proc.pid).count("lk-http") == \
        len(os.sched_getaffinity(0)), thread_names(demo.proc.pid)
    three = make_server(args=("--demo", "--threads", "3"), name="three")
    assert thread_names(three.proc.pid).count("lk-http") == 3
    tok = three.token()
    # many connections at once land on every thread's daemon
    conns = [socket.create_connection(("127.0.0.1", three.port),
                                      timeout=HTTP_TIMEOUT)
             for _ in range(30)]
    try:
        req = (f"GET /users/me HTTP/1.1\r\nHost: x\r\n"
               f"Authorization: Bearer {tok}\r\n\r\n").encode()
        for c in conns:
            c.sendall(req)
        assert all(read_answer(c).startswith(b"HTTP/1.1 200")
                   for c in conns)
    finally:
        for c in conns:
            c.close()
