# podctl's readable output shows times in Europe/London, never UTC (issue
# 11): "Mon 7 Dec 2026 17:00", GMT in winter and BST in summer; dates as
# "Mon 7 Dec 2026"; --json keeps the UTC the server sent. And `podctl
# watch` stops with a clear message and exit 2 when its key is revoked.
. "$(dirname "$0")/../lib.sh"

export PODD_CLOCK_FILE="$T/clock"
echo "2026-12-01T09:00:00Z" > "$PODD_CLOCK_FILE"

# reload: SIGHUP and wait until podd says the configuration is reloaded
reload () {
    local before
    before=$(grep -c "configuration reloaded" "$T/podd.log")
    kill -HUP "$PODD_PID"
    for _ in $(seq 1 50); do
        [ "$(grep -c "configuration reloaded" "$T/podd.log")" -gt "$before" ] && return 0
        sleep 0.1
    done
    not_ok "podd reloads on SIGHUP"
}
# no_utc DESC CMD...: exit 0 and no UTC timestamp in the output
UTC_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z'
no_utc () {
    local desc=$1; shift
    if OUT=$("$@" 2>&1) && ! printf '%s\n' "$OUT" | grep -Eq -- "$UTC_RE"; then ok "$desc"
    else not_ok "$desc: got: $OUT"; fi
}
jget () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k] if not k.isdigit() else d[int(k)]
print(d)' "$OUT" "$1"; }

# podd expires a silent session after client-timeout: long here, so that
# podctl's own silence check stays out of the way of a quick restart
make_config -e "s|client-timeout = .*|client-timeout = 60000|"
keygen alice.tm dev.sw erin.sw
start_podd || { not_ok "podd starts"; exit 1; }

pc alice.tm case open NC-1 --kind child --lead dev.sw --coworker erin.sw > /dev/null
OUT=$(pc alice.tm --json task new NC-1 --kind statutory-visit --title "Winter visit" --due 2026-12-07); WINTER=$(jget id)
check "--json keeps UTC: winter 17:00 London is 17:00Z ($(jget due))" [ "$(jget due)" = 2026-12-07T17:00:00Z ]
OUT=$(pc alice.tm --json task new NC-1 --kind statutory-visit --title "Summer visit" --due 2027-07-01T17:00); SUMMER=$(jget id)
check "--json keeps UTC: summer 17:00 London is 16:00Z ($(jget due))" [ "$(jget due)" = 2027-07-01T16:00:00Z ]

expect_out "task show: a winter due date in GMT wall time" "Mon 7 Dec 2026 17:00" pc alice.tm task show "$WINTER"
expect_out "task show: a summer due date in BST wall time (17:00)" "Thu 1 Jul 2027 17:00" pc alice.tm task show "$SUMMER"
OUT=$(pc alice.tm task show "$SUMMER" 2>&1)
check "task show: not the UTC hour 16:00" bash -c '! printf "%s\n" "$1" | grep -q "16:00"' _ "$OUT"
expect_out "task list: both due times in London" "Thu 1 Jul 2027 17:00" pc alice.tm task list --case NC-1
no_utc "task list: no UTC timestamps" pc alice.tm task list --case NC-1
no_utc "task show: no UTC timestamps (history included)" pc alice.tm task show "$WINTER"
no_utc "case show: no UTC timestamps" pc alice.tm case show NC-1
OUT=$(pc alice.tm --json task list --case NC-1)
check "task list --json still has the UTC timestamps" bash -c 'printf "%s\n" "$1" | grep -q "\"2027-07-01T16:00:00Z\""' _ "$OUT"

# Leave: the calendar and the leave itself, in dates and London times
expect_out "leave request: its first day in London (00:00)" "Mon 14 Dec 2026 00:00" \
    pc alice.tm leave request --member erin.sw --kind training --from 2026-12-14 --to 2026-12-15
OUT=$(pc alice.tm leave request --member erin.sw --kind training --from 2027-06-28 --to 2027-07-02 2>&1)
check "leave request: a summer leave ends with its last day, in BST (Sat 3 Jul 2027 00:00)" \
    bash -c 'printf "%s\n" "$1" | grep -q "Sat 3 Jul 2027 00:00" && ! printf "%s\n" "$1" | grep -Eq "$2"' _ "$OUT" "$UTC_RE"
expect_out "leave calendar: the leave in London time" "Mon 14 Dec 2026 00:00 +Wed 16 Dec 2026 00:00" pc alice.tm leave calendar --from 2026-12-01 --to 2026-12-31
no_utc "leave calendar: no UTC timestamps" pc alice.tm leave calendar --from 2026-12-01 --to 2026-12-31
echo "2026-12-16T08:00:00Z" > "$PODD_CLOCK_FILE"   # the leave takes the whole of the 15th
for _ in $(seq 1 50); do pc erin.sw digest > /dev/null 2>&1 && break; sleep 0.1; done
no_utc "digest: no UTC timestamps" pc erin.sw digest
expect_out "digest: the leave's end in London" "Wed 16 Dec 2026" pc erin.sw digest
no_utc "audit: no UTC timestamps" pc alice.tm audit --limit 5
expect_out "audit: London times (BST-free December, GMT: 09:00)" "Tue 1 Dec 2026 09:00" pc alice.tm audit --limit 5

# A watcher whose key is revoked is told so and stops with exit 2
"$PODCTL" -e "$EP" -k "$T/keys/dev.sw.cert" -s "$T/keys/podd.cert" -t 5 watch > "$T/watch.out" 2> "$T/watch.err" &
W=$!
for _ in $(seq 1 100); do grep -q "^pending" "$T/watch.err" && break; sleep 0.1; done
check "the watcher is in" grep -q "^pending" "$T/watch.err"
# podd restarts faster than podctl's silence timeout: its HEARTBEAT is
# answered "watching": false, and podctl sends WATCH again at once
stop_podd
start_podd || { not_ok "podd restarts"; exit 1; }
for _ in $(seq 1 100); do grep -q "session expired" "$T/watch.err" && break; sleep 0.1; done
check "after a restart, HEARTBEAT says not watching and podctl re-sends WATCH" \
    grep -q "watching session expired, re-sending WATCH" "$T/watch.err"
check "... not through the silence check" bash -c "! grep -q 'no reply from' '$T/watch.err'"
sleep 0.5
OUT=$(pc alice.tm --json task new NC-1 --kind statutory-visit --title "After restart"); AFTER=$(jget id)
for _ in $(seq 1 50); do grep -q " task $AFTER " "$T/watch.out" && break; sleep 0.1; done
check "and the task made after the restart is pushed to it" grep -q " task $AFTER .*After restart" "$T/watch.out"
mv "$T/certs/dev.sw.cert" "$T/dev.sw.cert.revoked"
reload
# the next HEARTBEAT (every 10 s by default at most) is answered 401
for _ in $(seq 1 150); do kill -0 "$W" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$W" 2>/dev/null; then
    kill "$W"; wait "$W" 2>/dev/null
    not_ok "podctl watch stops once its key is revoked: still running; stderr: $(cat "$T/watch.err")"
else
    wait "$W"; rc=$?
    check "podctl watch exits 2 once its key is revoked (exit $rc)" [ $rc -eq 2 ]
    check "and says the key is no longer accepted: $(grep 401 "$T/watch.err" | head -1)" \
        grep -q "no longer accepts this key" "$T/watch.err"
fi

finish
