"""Schema migrations on PostgreSQL: `latchkey db migrate` run by several
processes at once migrates once (advisory lock), `db status` tells,
and `serve --no-migrate` refuses an out-of-date schema. Runs in
`make e2e-pg` only."""
import subprocess

import pytest

from conftest import BIN, PG_ADMIN_URL, database_for, store_query

pytestmark = pytest.mark.skipif(
    PG_ADMIN_URL is None, reason="needs PostgreSQL (make e2e-pg)")


def db(verb, url):
    return subprocess.Popen([BIN, "db", verb, "--database", url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_concurrent_migrate_and_no_migrate(make_server):
    url = database_for(make_server.tmp / "m")
    p = db("status", url)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 1 and b"latchkey db migrate" in err
    s = make_server(args=("--demo", "--no-migrate"), name="m", start=False)
    with pytest.raises(AssertionError, match="schema version is 0"):
        s.start()
    s.stop()
    procs = [db("migrate", url) for _ in range(4)]
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert b"schema is up to date" in out
    rows = store_query(make_server.tmp / "m",
                       "SELECT version FROM schema_migrations "
                       "ORDER BY version")
    assert rows == [("1",), ("2",)]
    p = db("status", url)
    p.communicate(timeout=60)
    assert p.returncode == 0
    s.start()
    assert s.token()
