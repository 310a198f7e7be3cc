"""Start a latchkey server (or an example embedding the library) on a
loopback port the kernel picks, wait until it listens, and stop it by
its PID. Used by the docs and embedding tests. Under LATCHKEY_VALGRIND=1
the child runs under valgrind memcheck (see conftest.py) and stop()
fails on a memcheck finding or an unclean exit."""
import os
import pathlib
import re
import signal
import subprocess
import time

from conftest import SLOW, VALGRIND, memcheck, memcheck_findings

ROOT = pathlib.Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"event=listening address=127\.0\.0\.1:(\d+)")


def latchkey_bin():
    return os.environ.get("LATCHKEY_BIN", str(ROOT / "build" / "latchkey"))


class Server:
    """A child process that logs event=listening address=HOST:PORT."""

    def __init__(self, argv, log_path, env=None, timeout=10.0):
        self.log_path = pathlib.Path(log_path)
        self._log = open(self.log_path, "wb")
        self.memcheck_pattern = self.log_path.stem + ".memcheck.*.log"
        argv = memcheck(argv, self.log_path.parent /
                        self.memcheck_pattern.replace("*", "%p"))
        self.proc = subprocess.Popen(argv, stdout=self._log,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL,
                                     env=env)
        self.port = self._wait_port(timeout)
        self.base = f"http://127.0.0.1:{self.port}"

    def _wait_port(self, timeout):
        end = time.monotonic() + timeout * SLOW
        while time.monotonic() < end:
            m = LISTENING.search(self.log())
            if m:
                return int(m.group(1))
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self._terminate()
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def log(self):
        return self.log_path.read_text(errors="replace")

    def _terminate(self):
        """SIGTERM by PID, then SIGKILL if it is still there after 5 s
        (times SLOW)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5 * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5 * SLOW)
        self._log.close()

    def stop(self):
        """Terminate; under valgrind the exit status must be 0 and
        memcheck must have found nothing."""
        self._terminate()
        if VALGRIND:
            found = memcheck_findings(sorted(
                self.log_path.parent.glob(self.memcheck_pattern)))
            assert self.proc.returncode == 0 and not found, (
                f"exit status {self.proc.returncode}; memcheck:\n{found}"
                f"\nlog:\n{self.log()[-3000:]}")


def serve_demo(data_dir, log_path):
    """latchkey serve --demo on 127.0.0.1, port chosen by the kernel."""
    return Server([latchkey_bin(), "serve", "--demo", "--data-dir",
                   str(data_dir), "--listen", "127.0.0.1:0"], log_path)
