#!/bin/sh
# Install the Debian packages latchkey needs, once. Idempotent: only
# missing packages are installed, so a second run costs a dpkg query.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
list="$here/debian-packages.txt"
missing=""
for p in $(grep -v '^#' "$list" | sed '/^$/d'); do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
            | grep -q 'install ok installed'; then
        # nodejs/npm may come from another Debian-compatible source
        case "$p" in
            nodejs|npm) command -v "$p" >/dev/null 2>&1 && continue ;;
        esac
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing packages:$missing (run as root)" >&2
        exit 1
    fi
    echo "setup: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends $missing
fi
