#!/bin/sh
# make run: start podd on the demo configuration (config/podd.conf) with
# state under var/. First run: keys for every demo member under var/keys
# (public certs registered in var/certs) and a few fictional demo cases.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CONF=config/podd.conf
mkdir -p var/keys var/certs
chmod 700 var/keys
"$BUILD/podd" -n -c "$CONF" >/dev/null
for h in $(sed -n 's/^ *member = "\([^"]*\)".*/\1/p' "$CONF"); do
    if [ ! -f "var/keys/$h.cert" ]; then
        "$BUILD/podctl" keygen "$h" --dir var/keys >/dev/null
        cp "var/keys/$h.cert" var/certs/
    fi
done
"$BUILD/podd" -f -c "$CONF" &
PODD_PID=$!
trap 'kill -TERM $PODD_PID 2>/dev/null; wait $PODD_PID 2>/dev/null' INT TERM EXIT
as () { who=$1; shift; "$BUILD/podctl" -k "var/keys/$who.cert" -s var/keys/podd.cert "$@"; }
i=0
until as alice.tm ping >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 50 ] || { echo "demo: podd did not start" >&2; exit 1; }
    sleep 0.2
done
if [ -z "$(as alice.tm --json case list | grep '"ref"' || true)" ]; then
    as alice.tm case open NC-1001 --kind child --lead dev.sw --coworker erin.sw --summary "Demo child in need" >/dev/null
    as alice.tm case open NC-1002 --kind child --lead erin.sw --coworker femi.sw >/dev/null
    as alice.tm case open NH-2001 --kind carer-household --lead carla.sp --coworker dev.sw >/dev/null
    as alice.tm task new NC-1001 --kind statutory-visit --title "Statutory visit" >/dev/null
    # the carers were approved today: the practice standards create their tasks
    as alice.tm case event NH-2001 --type carer-approved --date "$(date +%Y-%m-%d)" >/dev/null
fi
cat <<MSG

podd is serving the demo pod on tcp://127.0.0.1:5670 (Ctrl-C stops it).
Try, in another terminal:

    $BUILD/podctl -k var/keys/alice.tm.cert whoami
    $BUILD/podctl -k var/keys/alice.tm.cert case list
    $BUILD/podctl -k var/keys/alice.tm.cert caseload
    $BUILD/podctl -k var/keys/dev.sw.cert watch
    $BUILD/podctl -k var/keys/alice.tm.cert report compliance

MSG
wait $PODD_PID
