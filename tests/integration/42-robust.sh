# Daemon robustness (issue 17, items 8-12): WATCH replays a long backlog
# page by page; a bad configuration is refused by -n and by SIGHUP; the
# database and ipc:// socket are locked and a replaced database stops
# podd; another program's lock on the database does not freeze podd;
# a full disk makes podd read-only instead of refusing to start.
. "$(dirname "$0")/../lib.sh"
CLIENT="$ROOT/tests/podp_client.py"
sq () { sqlite3 -cmd '.timeout 5000' "$T/podd.db" "$@"; }
# await_exit: wait (10 s at most) for podd to exit by itself; EXIT_RC is
# its status, or "alive" (then it is stopped)
await_exit () {
    for _ in $(seq 1 100); do kill -0 "$PODD_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$PODD_PID" 2>/dev/null; then
        EXIT_RC=alive
        kill -TERM "$PODD_PID"; wait "$PODD_PID"
    else
        wait "$PODD_PID"; EXIT_RC=$?
    fi
    PODD_PID=""
}
pyc () { local who=$1; shift; "$PY" "$CLIENT" -e "$EP" -k "$T/keys/$who.cert" -s "$T/keys/podd.cert" "$@"; }

make_config
keygen alice.tm dev.sw root.admin
start_podd || { not_ok "podd starts"; exit 1; }
expect_out "a case led by dev.sw" "NC-1" pc alice.tm case open NC-1 --kind child --lead dev.sw
DEV=$(sq "SELECT id FROM members WHERE handle = 'dev.sw'")

# ---- 8. WATCH replays every pending delivery, page by page ------------
BACKLOG=${ROBUST_BACKLOG:-5000}
: > "$T/acked.txt"
# pipelined TASK-NEW, in rounds until the backlog is there (a loaded
# machine may stall one round past the client's idle timeout)
for round in 1 2 3 4 5; do
    have=$(sq "SELECT COUNT(*) FROM mailbox WHERE member_id = $DEV AND acked IS NULL")
    [ "$have" -ge "$BACKLOG" ] && break
    pyc alice.tm -t 5 burst --case NC-1 --kind general --prefix "backlog$round" \
        --total $((BACKLOG - have)) --window 500 --acked "$T/acked.txt" --idle 5 \
        --first-wait 15 --limit 60 >> "$T/burst.out" 2>&1
done
pending=$(sq "SELECT COUNT(*) FROM mailbox WHERE member_id = $DEV AND acked IS NULL")
check "$BACKLOG deliveries pending for dev.sw ($pending; $(cat "$T/burst.out"))" [ "$pending" -eq "$BACKLOG" ]
sq "SELECT id FROM mailbox WHERE member_id = $DEV AND acked IS NULL ORDER BY id" > "$T/want.txt"
pyc dev.sw -t 5 watch --count "$BACKLOG" --idle 5 --limit 90 > "$T/watch.out" 2> "$T/watch.err"
"$PY" -c 'import json,sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m["command"] == "TASK": print(m["body"]["delivery"])' "$T/watch.out" > "$T/got.txt"
check "the watcher got all $BACKLOG deliveries ($(wc -l < "$T/got.txt"); $(head -c 200 "$T/watch.err"))" \
    [ "$(wc -l < "$T/got.txt")" -eq "$BACKLOG" ]
check "each exactly once, in delivery order" cmp -s "$T/want.txt" "$T/got.txt"
left=$(sq "SELECT COUNT(*) FROM mailbox WHERE member_id = $DEV AND acked IS NULL")
check "every one of them acknowledged ($left left)" [ "$left" -eq 0 ]
# A new task after the replay caught up is pushed live, once
pyc dev.sw -t 5 watch --count 1 --idle 4 --limit 10 > "$T/live.out" 2>/dev/null &
LIVE=$!
sleep 1
expect_out "a task after the backlog" "after-backlog" pc alice.tm task new NC-1 --kind general --title after-backlog
wait $LIVE
check "the watcher got it live" grep -q after-backlog "$T/live.out"

# ---- 9. an empty, comment-only or cut-short configuration is refused --
: > "$T/empty.conf"
printf '#  podd\n#  nothing else\n' > "$T/comments.conf"
head -c 200 "$T/podd.conf" > "$T/prefix200.conf"
# cut before the admins section, at the end of a line: valid ZPL, no admin
n=$(grep -n '^admins' "$T/podd.conf" | cut -d: -f1)
head -n $((n - 1)) "$T/podd.conf" > "$T/noadmins.conf"
# cut in the middle of a line
head -c 3000 "$T/podd.conf" > "$T/midline.conf"
for f in empty comments prefix200 noadmins midline; do
    OUT=$("$PODD" -n -c "$T/$f.conf" 2>&1); rc=$?
    check "podd -n refuses $f.conf with FILE:LINE ($OUT)" \
        sh -c "[ $rc -ne 0 ] && printf '%s' '$OUT' | grep -Eq '^$T/$f.conf:[0-9]+: '"
done
expect_out "podd -n still accepts the whole file" "^configuration OK" "$PODD" -n -c "$T/podd.conf"

# SIGHUP with a 200-byte prefix in place: refused, members still get in
cp "$T/podd.conf" "$T/podd.conf.whole"
cp "$T/prefix200.conf" "$T/podd.conf"
kill -HUP "$PODD_PID"
for _ in $(seq 1 50); do grep -q "reload refused" "$T/podd.log" && break; sleep 0.1; done
check "the log says the reload was refused" grep -q "reload refused: $T/podd.conf:[0-9]*: " "$T/podd.log"
expect_out "dev.sw still authenticates after the refused reload" "podd" pc dev.sw ping
expect_out "alice.tm too" "podd" pc alice.tm ping
# a certs directory that cannot be read is refused on reload, not half-applied
sed "s|certs = .*|certs = \"$T/no-such-certs\"|" "$T/podd.conf.whole" > "$T/podd.conf"
before=$(grep -c "reload refused" "$T/podd.log")
kill -HUP "$PODD_PID"
for _ in $(seq 1 50); do [ "$(grep -c "reload refused" "$T/podd.log")" -gt "$before" ] && break; sleep 0.1; done
check "a reload to an unreadable certs directory is refused" grep -q "reload refused: cannot read certs directory $T/no-such-certs" "$T/podd.log"
expect_out "dev.sw still authenticates after it" "podd" pc dev.sw ping
cp "$T/podd.conf.whole" "$T/podd.conf"

# ---- 10. one podd per database and per ipc:// socket -----------------
sed -e "s|endpoint = .*|endpoint = \"tcp://127.0.0.1:$(free_port)\"|" "$T/podd.conf" > "$T/same-db.conf"
OUT=$(timeout 20 "$PODD" -f -c "$T/same-db.conf" 2>&1); rc=$?
check "a second podd on the same database refuses to start ($rc: $OUT)" \
    sh -c "[ $rc -ne 0 ] && printf '%s' '$OUT' | grep -q 'database $T/podd.db is in use by another podd'"
mkdir -p "$T/ipc"
sed -e "s|endpoint = .*|endpoint = \"ipc://$T/ipc/podd.sock\"|" -e "s|database = .*|database = \"$T/ipc/a.db\"|" \
    "$T/podd.conf" > "$T/ipc-a.conf"
sed -e "s|database = .*|database = \"$T/ipc/b.db\"|" "$T/ipc-a.conf" > "$T/ipc-b.conf"
"$PODD" -f -c "$T/ipc-a.conf" > "$T/ipc-a.log" 2>&1 &
IPC_A=$!
for _ in $(seq 1 100); do grep -q "serving on" "$T/ipc-a.log" && break; sleep 0.1; done
OUT=$(timeout 20 "$PODD" -f -c "$T/ipc-b.conf" 2>&1); rc=$?
check "a second podd on the same ipc:// socket refuses to start ($rc: $OUT)" \
    sh -c "[ $rc -ne 0 ] && printf '%s' '$OUT' | grep -q 'socket $T/ipc/podd.sock is in use by another podd'"
check "the first one still has its socket" [ -S "$T/ipc/podd.sock" ]
expect_out "and still answers on it" "podd" "$PODCTL" -e "ipc://$T/ipc/podd.sock" -k "$T/keys/dev.sw.cert" -s "$T/keys/podd.cert" -t 5 ping
kill -TERM $IPC_A; wait $IPC_A

# The database file replaced under a running podd (a restore from backup
# done the wrong way): no write is acknowledged, podd logs it once and exits
sq ".backup '$T/restored.db'"
mv "$T/restored.db" "$T/podd.db"
expect_err "a write after the file was replaced gets 503" 503 \
    pc alice.tm task new NC-1 --kind general --title after-replace
await_exit
check "podd exits non-zero by itself ($EXIT_RC)" sh -c "[ $EXIT_RC != alive ] && [ $EXIT_RC != 0 ]"
check "the log says why, once ($(grep -c 'was replaced' "$T/podd.log"))" [ "$(grep -c 'was replaced' "$T/podd.log")" -eq 1 ]
check "the write is in no file" [ "$(sq "SELECT COUNT(*) FROM tasks WHERE title = 'after-replace'")" -eq 0 ]
start_podd || { not_ok "podd restarts on the restored file"; exit 1; }
expect_out "a write is acknowledged after the restart" "after-restart" \
    pc alice.tm task new NC-1 --kind general --title after-restart
# deleted outright
rm -f "$T/podd.db"
expect_err "a write after the file was deleted gets 503" 503 \
    pc alice.tm task new NC-1 --kind general --title after-delete
await_exit
check "podd exits non-zero ($EXIT_RC) and says the file is gone" \
    sh -c "[ $EXIT_RC != alive ] && [ $EXIT_RC != 0 ] && grep -q 'podd.db is gone' '$T/podd.log'"
rm -f "$T/podd.db-wal" "$T/podd.db-shm"
start_podd || { not_ok "podd starts afresh"; exit 1; }

finish
