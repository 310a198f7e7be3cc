"""Logins: the hash itself runs on "lk-hash" threads that yield the CPU
to the HTTP threads (SCHED_IDLE), so bearer requests keep their latency
during a login storm; the rest of a login (store, log) runs on "lk-login"
threads at the normal policy, so no idle-priority thread ever holds a
lock that an HTTP thread waits for."""
import os


def policies(pid):
    """{thread name: set of scheduling policies} of a process."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            name = f.read().strip()
        out.setdefault(name, set()).add(os.sched_getscheduler(int(tid)))
    return out


def test_only_hashing_threads_are_sched_idle(demo):
    assert demo.login().status_code == 200
    assert demo.login("nobody", "x").status_code == 401
    after = policies(demo.proc.pid)
    assert after.get("lk-hash") == {os.SCHED_IDLE}, after
    assert after.get("lk-login") == {os.SCHED_OTHER}, after
    assert after["lk-http"] == {os.SCHED_OTHER}, after
    others = set().union(*(v for k, v in after.items() if k != "lk-hash"))
    assert others == {os.SCHED_OTHER}, after
