#!/bin/sh
# Install the Debian packages podd needs to build and test, only when missing.
# Runs apt-get (as root, or through sudo) only if something is not installed.
# Packages named as arguments are added (make valgrind: valgrind).
set -eu
PACKAGES="build-essential pkg-config libczmq-dev libzmq3-dev libsqlite3-dev libjansson-dev
libical-dev libgmime-3.0-dev libesmtp-dev libssl-dev python3 python3-zmq python3-icalendar
python3-aiosmtpd sqlite3 libsystemd-dev clang libclang-rt-14-dev libmicrohttpd-dev libsodium-dev
chromium $*"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# ical.js (Thunderbird's iCalendar parser) runs on node for the invite tests
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root or sudo to install:$missing" >&2; exit 1; }
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq </dev/null
$SUDO apt-get install -y -qq --no-install-recommends $missing </dev/null
