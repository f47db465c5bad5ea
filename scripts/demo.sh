#!/bin/sh
# make run: start podd on the demo configuration (config/podd.conf) with
# state under var/, and podweb, the web client, beside it on
# http://127.0.0.1:8080. First run: keys for every demo member and for
# podweb's gateway under var/keys (public certs registered in var/certs), a
# few fictional demo cases, and a password for every demo member, written to
# var/demo-logins.txt as "HANDLE PASSWORD" lines.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CONF=config/podd.conf
mkdir -p var/keys var/certs var/podweb
chmod 700 var/keys var/podweb
"$BUILD/podd" -n -c "$CONF" >/dev/null
for h in $(sed -n 's/^ *member = "\([^"]*\)".*/\1/p' "$CONF"); do
    if [ ! -f "var/keys/$h.cert" ]; then
        "$BUILD/podctl" keygen "$h" --dir var/keys >/dev/null
        cp "var/keys/$h.cert" var/certs/
    fi
done
# podweb acts for the members who sign in to it: the gateways section of podd.conf
if [ ! -f var/keys/podweb.cert ]; then
    "$BUILD/podctl" keygen podweb --dir var/keys >/dev/null
    cp var/keys/podweb.cert var/certs/
fi
"$BUILD/podd" -f -c "$CONF" &
PODD_PID=$!
WEB_PID=""
trap 'kill -TERM $PODD_PID $WEB_PID 2>/dev/null; wait $PODD_PID $WEB_PID 2>/dev/null' INT TERM EXIT
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
    # dev.sw's annual leave next week, for the manager's calendar and cover plan
    as alice.tm leave request --member dev.sw --kind annual --from "$(date -d '+7 days' +%Y-%m-%d)" \
        --to "$(date -d '+11 days' +%Y-%m-%d)" >/dev/null
fi
# Demo sign-ins: a random password for each member, kept in var/demo-logins.txt
if [ ! -f var/demo-logins.txt ]; then
    umask 077
    for h in $(sed -n 's/^ *member = "\([^"]*\)".*/\1/p' "$CONF"); do
        printf '%s %s\n' "$h" "$(head -c 12 /dev/urandom | base64 | tr -d '/+=')"
    done > var/demo-logins.txt.new
    "$BUILD/podweb" -p var/podweb/passwords passwords < var/demo-logins.txt.new
    mv var/demo-logins.txt.new var/demo-logins.txt
    umask 022
fi
"$BUILD/podweb" -l 127.0.0.1:8080 -k var/keys/podweb.cert -s var/keys/podd.cert \
    -p var/podweb/passwords -w clients/web > var/podweb.log 2>&1 &
WEB_PID=$!
i=0
until grep -q serving var/podweb.log 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "demo: podweb did not start: $(cat var/podweb.log)" >&2; exit 1; }
    sleep 0.1
done
cat <<MSG

podd is serving the demo pod on tcp://127.0.0.1:5670 (Ctrl-C stops it).

Open http://127.0.0.1:8080 and sign in with a line of var/demo-logins.txt:
dev.sw is a social worker, alice.tm the team manager. For example:

    $(grep '^dev.sw ' var/demo-logins.txt)
    $(grep '^alice.tm ' var/demo-logins.txt)

Then create a task as the manager and watch it appear on dev.sw's page:

    $BUILD/podctl -k var/keys/alice.tm.cert task new NC-1001 --kind general --title "Call the school"

Or try, in another terminal:

    $BUILD/podctl -k var/keys/alice.tm.cert whoami
    $BUILD/podctl -k var/keys/alice.tm.cert case list
    $BUILD/podctl -k var/keys/alice.tm.cert caseload
    $BUILD/podctl -k var/keys/dev.sw.cert watch
    $BUILD/podctl -k var/keys/alice.tm.cert report compliance

MSG
wait $PODD_PID
