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

# a watcher is dropped after 10 s of silence, not 1 s: on a loaded machine
# one slow fsync must not cut the 5,000-delivery replay short
make_config -e 's|client-timeout = .*|client-timeout = 10000|'
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
    pc alice.tm ping > /dev/null 2>&1       # after whatever podd still had queued
    have=$(sq "SELECT COUNT(*) FROM mailbox WHERE member_id = $DEV AND acked IS NULL")
    [ "$have" -ge "$BACKLOG" ] && break
    pyc alice.tm -t 5 burst --case NC-1 --kind general --prefix "backlog$round" \
        --total $((BACKLOG - have)) --window 100 --acked "$T/acked.txt" --idle 15 \
        --first-wait 15 --limit 90 >> "$T/burst.out" 2>&1
done
pc alice.tm ping > /dev/null 2>&1
pending=$(sq "SELECT COUNT(*) FROM mailbox WHERE member_id = $DEV AND acked IS NULL")
check "$BACKLOG deliveries pending for dev.sw ($pending; $(cat "$T/burst.out"))" [ "$pending" -ge "$BACKLOG" ]
BACKLOG=$pending
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
mv "$T/restored.db" "$T/podd.db"; chmod 600 "$T/podd.db"   # podd refuses a database others may read
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
expect_out "a case in the fresh database" "NC-1" pc alice.tm case open NC-1 --kind child --lead dev.sw

# ---- 11. another program's lock on the database does not freeze podd --
cat > "$T/locker.py" <<'PY'
import sqlite3, sys, time
db, flag, hold = sys.argv[1], sys.argv[2], float(sys.argv[3])
c = sqlite3.connect(db, isolation_level=None, timeout=10)
c.execute("BEGIN EXCLUSIVE")
c.execute("CREATE TABLE IF NOT EXISTS locker_probe (x)")
open(flag, "w").write("locked\n")
time.sleep(hold)
c.execute("ROLLBACK")
c.close()
PY
cat > "$T/during.py" <<'PY'
import json, os, subprocess, sys, time
sys.path.insert(0, sys.argv[1])
from podp_client import PodpClient
ep, keys, locker, db, flag = sys.argv[2:7]
a = PodpClient(ep, keys + "/alice.tm.cert", keys + "/podd.cert", timeout=8)
d = PodpClient(ep, keys + "/dev.sw.cert", keys + "/podd.cert", timeout=8)
out = {}
# connected first (the CURVE handshake is not what is measured)
a.request("PING"); d.request("PING")
lock = subprocess.Popen([sys.executable, locker, db, flag, "3"])
for _ in range(100):
    if os.path.exists(flag): break
    time.sleep(0.05)
t0 = time.monotonic()
# a write, and on the same connection a read that must see it
w = a.send("TASK-NEW", {"case": "NC-1", "kind": "general", "title": "while-locked"})
r = a.send("TASK-LIST", {"scope": "case", "case": "NC-1"})
# meanwhile another member: PING and a read, answered at once
pings = []
for _ in range(5):
    t = time.monotonic()
    status, _, _ = d.request("PING")
    pings.append((status, round((time.monotonic() - t) * 1000)))
    time.sleep(0.1)
t = time.monotonic()
status, _, data = d.request("CASE-SHOW", {"ref": "NC-1"})
out["read"] = [status, round((time.monotonic() - t) * 1000)]
out["pings"] = pings
reply = a.recv_reply(w)
out["write"] = [reply.get("status"), round((time.monotonic() - t0) * 1000)]
reply = a.recv_reply(r)
titles = [x.get("title") for x in (reply.get("data") or {}).get("items", [])]
out["list"] = [reply.get("status"), "while-locked" in titles]
lock.wait()
print(json.dumps(out))
PY
rm -f "$T/locked.flag"
RES=$("$PY" "$T/during.py" "$ROOT/tests" "$EP" "$T/keys" "$T/locker.py" "$T/podd.db" "$T/locked.flag" 2>&1)
echo "# while another program held the write lock for 3 s: $RES"
field () { "$PY" -c 'import json,sys; print(eval("json.loads(sys.argv[1])" + sys.argv[2]))' "$RES" "$1" 2>/dev/null; }
check "PING answered 200 each time" [ "$("$PY" -c 'import json,sys; print(sum(st == 200 for st, _ in json.loads(sys.argv[1])["pings"]))' "$RES" 2>/dev/null)" = 5 ]
worst=$("$PY" -c 'import json,sys; print(max(ms for _, ms in json.loads(sys.argv[1])["pings"]))' "$RES" 2>/dev/null)
check "PING answered within 200 ms while the database is locked (worst ${worst:-?} ms)" [ "${worst:-9999}" -lt 200 ]
check "a read answered 200 while locked ($(field '["read"]'))" [ "$(field '["read"][0]')" = 200 ]
check "the write held and acknowledged 201 once the lock was released ($(field '["write"]'))" \
    sh -c "[ '$(field '["write"][0]')' = 201 ] && [ '$(field '["write"][1]')' -ge 2000 ]"
check "the same connection's read after it saw the write ($(field '["list"]'))" [ "$(field '["list"][1]')" = True ]
check "the task is stored once" [ "$(sq "SELECT COUNT(*) FROM tasks WHERE title = 'while-locked'")" -eq 1 ]
# held longer than podd holds writes (4 s): 503, nothing changed
rm -f "$T/locked.flag"
"$PY" "$T/locker.py" "$T/podd.db" "$T/locked.flag" 6 &
LOCKER=$!
for _ in $(seq 1 100); do [ -f "$T/locked.flag" ] && break; sleep 0.05; done
expect_err "a write held past 4 s gets 503" 503 pc alice.tm task new NC-1 --kind general --title long-locked
wait $LOCKER
check "and was not carried out later" [ "$(sq "SELECT COUNT(*) FROM tasks WHERE title = 'long-locked'")" -eq 0 ]
expect_out "writes work again after the lock" "after-lock" pc alice.tm task new NC-1 --kind general --title after-lock

# podctl backup: an admin's consistent copy into a new 0600 file
expect_out "an admin backs up the database" "bytes" pc root.admin backup "$T/backup.db"
check "the backup is mode 0600" [ "$(stat -c %a "$T/backup.db")" = 600 ]
check "the backup is a whole database with the tasks" \
    [ "$(sqlite3 "$T/backup.db" "PRAGMA integrity_check; SELECT COUNT(*) FROM tasks WHERE title = 'after-lock'" | tr '\n' ' ')" = "ok 1 " ]
expect_err "an existing file is refused" 409 pc root.admin backup "$T/backup.db"
expect_err "a relative path is refused" 422 pc root.admin backup backup2.db
expect_err "a team manager may not back up" 403 pc alice.tm backup "$T/backup3.db"
check "and nothing was written for them" [ ! -e "$T/backup3.db" ]
check "the backup is audited" [ "$(sq "SELECT COUNT(*) FROM audit WHERE action = 'backup'")" -eq 1 ]

# ---- 12. a full disk: podd serves reads, answers 503 to writes --------
# The database on a small tmpfs (root can mount one; otherwise the test
# says why it cannot run)
mkdir -p "$T/full"
if mount -t tmpfs -o size=2m tmpfs "$T/full" 2>"$T/mount.err"; then
    trap 'umount "$T/full" 2>/dev/null; cleanup' EXIT
    stop_podd
    sed -i "s|database = .*|database = \"$T/full/podd.db\"|" "$T/podd.conf"
    start_podd || { not_ok "podd starts on the tmpfs"; exit 1; }
    expect_out "a case on the small disk" "NC-2" pc alice.tm case open NC-2 --kind child --lead dev.sw
    dd if=/dev/zero of="$T/full/filler" bs=4k 2>/dev/null
    logged () { grep -c "disk is full" "$T/podd.log"; }
    # writes until the disk refuses (the WAL may have room for a few)
    : > "$T/full-acked.txt"
    pyc alice.tm -t 5 burst --case NC-2 --kind general --prefix full --total 400 --window 20 \
        --acked "$T/full-acked.txt" --idle 3 --first-wait 10 --limit 40 > "$T/full-burst.out" 2>&1
    echo "# burst on a full disk: $(cat "$T/full-burst.out")"
    refused=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["statuses"].get("503", 0))' "$T/full-burst.out" 2>/dev/null)
    check "writes on the full disk get 503 (${refused:-?} of 400)" [ "${refused:-0}" -gt 0 ]
    check "podd is still serving" alive
    expect_out "reads work on the full disk" "NC-2" pc dev.sw case show NC-2
    expect_err "a write now gets 503" "503" \
        pc alice.tm task new NC-2 --kind general --title on-full-disk
    check "the condition is logged once, not per batch ($(logged))" [ "$(logged)" -eq 1 ]
    ACKED_FULL=$(wc -l < "$T/full-acked.txt")
    # restarted on the full disk (after a crash): starts read-only
    kill9_podd
    mv "$T/podd.log" "$T/podd-full1.log"
    start_podd
    check "podd starts on a full disk" alive
    check "and says it is read-only" grep -q "cannot write the database" "$T/podd.log"
    expect_out "reads work after the restart" "NC-2" pc dev.sw case show NC-2
    stored=$(sqlite3 -cmd '.timeout 5000' "file:$T/full/podd.db?mode=ro" "SELECT COUNT(*) FROM tasks WHERE title GLOB 'full-*'" 2>&1)
    check "every acknowledged write is there ($ACKED_FULL acknowledged, $stored stored)" [ "$stored" = "$ACKED_FULL" ]
    expect_err "writes get 503 after the restart" "503" \
        pc alice.tm task new NC-2 --kind general --title on-full-disk
    # room again: writes work within the probe interval, logged once
    rm -f "$T/full/filler"
    ok_again=""
    for _ in $(seq 1 30); do
        if pc alice.tm task new NC-2 --kind general --title room-again > /dev/null 2>&1; then ok_again=1; break; fi
        sleep 0.5
    done
    check "writes are acknowledged again once there is room" [ -n "$ok_again" ]
    check "the log says so" grep -q "takes writes again\|configured pods and members written" "$T/podd.log"
    check "the full disk was logged once in this run ($(logged))" [ "$(logged)" -eq 1 ]
    stop_podd
    umount "$T/full"
    start_podd_again=1
else
    not_ok "cannot mount a tmpfs to fill: $(cat "$T/mount.err")"
fi
if [ -n "${start_podd_again:-}" ]; then
    sed -i "s|database = .*|database = \"$T/podd.db\"|" "$T/podd.conf"
    start_podd || not_ok "podd restarts on the first database"
fi

finish
