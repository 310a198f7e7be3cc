"""The hashing workers: logins hash on threads that yield the CPU to the
HTTP threads (SCHED_IDLE), so bearer requests keep their latency during
a login storm; the HTTP threads stay at the normal policy."""
import os


def policies(pid):
    """{thread name: set of scheduling policies} of a process."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            name = f.read().strip()
        out.setdefault(name, set()).add(os.sched_getscheduler(int(tid)))
    return out


def test_hashing_threads_are_sched_idle(demo):
    # unnamed threads carry the process's name: "latchkey", or valgrind's
    # tool under LATCHKEY_VALGRIND
    with open(f"/proc/{demo.proc.pid}/comm") as f:
        unnamed = f.read().strip()
    before = policies(demo.proc.pid)
    assert os.SCHED_IDLE not in set().union(*before.values())
    assert demo.login().status_code == 200
    after = policies(demo.proc.pid)
    assert os.SCHED_IDLE in after[unnamed], after
    assert after["MHD-worker"] == {os.SCHED_OTHER}, after
