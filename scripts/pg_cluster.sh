#!/bin/sh
# pg_cluster.sh: a throw-away PostgreSQL cluster for the tests, owned by
# an unprivileged user, in a directory of the caller's. It listens on a
# Unix socket in that directory and on 127.0.0.1 at a free port; no
# system service is used or touched.
#
#   pg_cluster.sh start DIR    initdb + start; prints the connection URL
#   pg_cluster.sh stop DIR     stop (pg_ctl stop -m fast); DIR is kept
#   pg_cluster.sh restart DIR  start a stopped cluster again, same port
#   pg_cluster.sh url DIR      print the connection URL
#
# As root, the cluster runs as the system user latchkey-test (created
# when missing), since PostgreSQL refuses to run as root.
set -eu

RUN_AS=latchkey-test

usage() {
    echo "usage: $0 start|stop|restart|url DIR" >&2
    exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bindir" ]; then
    echo "pg_cluster.sh: PostgreSQL server binaries not found" \
         "(Debian package postgresql)" >&2
    exit 1
fi

# Run a PostgreSQL program as the cluster's owner.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$RUN_AS" -- "$@"
    else
        "$@"
    fi
}

ensure_owner() {
    if [ "$(id -u)" -ne 0 ]; then
        return
    fi
    if ! id "$RUN_AS" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin "$RUN_AS"
    fi
    chown "$RUN_AS" "$dir"
    chmod 0700 "$dir"
}

free_port() {
    /usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

url() {
    echo "postgresql://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
}

pg_start() {
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" \
        -w -t 30 -o "-c listen_addresses=127.0.0.1 -p $(cat "$dir/port") \
-k $dir -c fsync=off -c synchronous_commit=off -c max_connections=300" \
        start >/dev/null
}

case "$cmd" in
start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    ensure_owner
    free_port >"$dir/port"
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust \
        -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    pg_start
    url
    ;;
restart)
    dir=$(cd "$dir" && pwd)
    pg_start
    url
    ;;
stop)
    dir=$(cd "$dir" && pwd)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 30 \
            stop >/dev/null
    fi
    ;;
url)
    dir=$(cd "$dir" && pwd)
    url
    ;;
*)
    usage
    ;;
esac
