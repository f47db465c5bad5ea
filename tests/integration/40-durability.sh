# Durability: podd is killed with SIGKILL in the middle of a pipelined
# burst of TASK-NEW requests. A 201 REPLY promises the task is on disk,
# so after a restart every acknowledged task is there exactly once, no
# task is there twice, the database is intact, and dev.sw's durable
# mailbox replays the unacknowledged deliveries in delivery order.
. "$(dirname "$0")/../lib.sh"

TOTAL=${BURST_TOTAL:-3000}      # TASK-NEW requests at most
WINDOW=${BURST_WINDOW:-200}     # in flight at most
KILL_AT=${BURST_KILL_AT:-300}   # SIGKILL once this many are acknowledged ...
KILL_MS=${BURST_KILL_MS:-1000}  # ... or this many ms after the first, whichever first
CLIENT="$ROOT/tests/podp_client.py"

make_config
keygen alice.tm dev.sw
start_podd || { not_ok "podd starts"; exit 1; }
expect_out "a case led by dev.sw" "NC-1" pc alice.tm case open NC-1 --kind child --lead dev.sw
# sqlite3 with a busy timeout, so a query never fails on podd's locks
sq () { sqlite3 -cmd '.timeout 5000' "$T/podd.db" "$@"; }
DEV=$(sq "SELECT id FROM members WHERE handle = 'dev.sw'")

# The burst: the Python client appends each title answered 201 to acked.txt
: > "$T/acked.txt"
"$PY" "$CLIENT" -e "$EP" -k "$T/keys/alice.tm.cert" -s "$T/keys/podd.cert" -t 2 \
    burst --case NC-1 --kind general --prefix burst --total "$TOTAL" --window "$WINDOW" \
    --acked "$T/acked.txt" --idle 2 --first-wait 12 --limit 25 > "$T/burst.out" 2> "$T/burst.err" &
BURST=$!
# Wait for the first acknowledgement (python start-up, CURVE handshake and
# the first group commit can be slow on a loaded machine), then kill
start_ms=$(date +%s%3N)
while [ ! -s "$T/acked.txt" ] && kill -0 "$BURST" 2>/dev/null \
      && [ $(( $(date +%s%3N) - start_ms )) -lt 15000 ]; do
    sleep 0.005
done
first_ms=$(date +%s%3N)
while :; do
    n=$(wc -l < "$T/acked.txt")
    [ "$n" -ge "$KILL_AT" ] && break
    [ $(( $(date +%s%3N) - first_ms )) -ge "$KILL_MS" ] && break
    kill -0 "$BURST" 2>/dev/null || break
    sleep 0.005
done
kill9_podd
killed_after=$(wc -l < "$T/acked.txt")
echo "# SIGKILL after $killed_after acknowledged, $(( $(date +%s%3N) - start_ms )) ms into the burst"

# The client must stop by itself (its own silence timeout), well within 20 s
for _ in $(seq 1 200); do kill -0 "$BURST" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$BURST" 2>/dev/null; then
    not_ok "the burst client did not stop by itself after podd died"
    kill -KILL "$BURST" 2>/dev/null
else
    ok "the burst client stopped by itself: $(cat "$T/burst.out")"
fi
wait "$BURST" 2>/dev/null
ACKED=$(sort -u "$T/acked.txt" | wc -l)
check "the burst got $ACKED tasks acknowledged before the kill ($(cat "$T/burst.err"))" [ "$ACKED" -gt 0 ]
check "acknowledged titles are unique in the client's record" [ "$ACKED" -eq "$(wc -l < "$T/acked.txt")" ]
unanswered=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["unanswered"])' "$T/burst.out" 2>/dev/null)
check "podd died mid-burst (requests in flight: ${unanswered:-?})" [ "${unanswered:-0}" -gt 0 ]

# start_podd waits for "serving on" in podd.log: move the first run's log
# aside, or it would return before the new podd has opened the database
mv "$T/podd.log" "$T/podd-killed.log"
start_podd || { not_ok "podd restarts after SIGKILL"; exit 1; }
ok "podd restarts after SIGKILL"

integrity=$(sq 'PRAGMA integrity_check' 2>&1 | head -5)
check "PRAGMA integrity_check is ok${integrity:+ ($integrity)}" [ "$integrity" = ok ]
check "PRAGMA foreign_key_check is empty" [ -z "$(sq 'PRAGMA foreign_key_check')" ]
sq "SELECT title, COUNT(*) FROM tasks GROUP BY title" > "$T/titles.txt"
STORED=$(wc -l < "$T/titles.txt")
dups=$(awk -F'|' '$2 != 1' "$T/titles.txt" | head -5)
check "no title is stored twice ($STORED titles)${dups:+: $dups}" [ -z "$dups" ]
missing=$(awk -F'|' 'NR == FNR { n[$1] = $2; next } n[$1] != 1 { print $1 }' "$T/titles.txt" "$T/acked.txt" | head -5)
check "every acknowledged title ($ACKED) is stored exactly once${missing:+ - missing: $missing}" [ -z "$missing" ]
sent=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["sent"])' "$T/burst.out" 2>/dev/null)
check "no more tasks than were sent ($STORED <= ${sent:-?})" [ "$STORED" -le "${sent:-0}" ]
stray=$(sq "SELECT COUNT(*) FROM tasks WHERE title NOT GLOB 'burst-[0-9][0-9][0-9][0-9][0-9][0-9]'")
check "every stored task is one the client sent ($stray others)" [ "$stray" -eq 0 ]
# Each stored task is complete: offered to dev.sw, with its history and one delivery
bad=$(sq "SELECT COUNT(*) FROM tasks t WHERE t.state <> 'offered' OR t.assignee_id <> $DEV
    OR (SELECT COUNT(*) FROM mailbox b WHERE b.task_id = t.id AND b.member_id = $DEV) <> 1
    OR (SELECT COUNT(*) FROM task_history h WHERE h.task_id = t.id) < 2")
check "every stored task is offered to dev.sw with its history and exactly one delivery ($bad incomplete)" [ "$bad" -eq 0 ]
orphans=$(sq "SELECT COUNT(*) FROM mailbox WHERE task_id NOT IN (SELECT id FROM tasks)")
check "no delivery without its task ($orphans)" [ "$orphans" -eq 0 ]

# The mailbox after the restart: dev.sw's watcher gets the pending
# deliveries in increasing order, and they cover the acknowledged tasks.
sq "SELECT id FROM mailbox WHERE member_id = $DEV AND acked IS NULL ORDER BY id" > "$T/pending.txt"
PENDING=$(wc -l < "$T/pending.txt")
check "dev.sw has a pending delivery per stored task ($PENDING / $STORED)" [ "$PENDING" -eq "$STORED" ]
N=$PENDING; [ "$N" -gt 1000 ] && N=1000      # podd replays at most 1000 per WATCH
timeout 30 "$PODCTL" -e "$EP" -k "$T/keys/dev.sw.cert" -s "$T/keys/podd.cert" -t 5 \
    watch --count "$N" > "$T/watch.out" 2> "$T/watch.err" &
WATCHER=$!
wait "$WATCHER"; wrc=$?
check "the watcher exits 0 after $N deliveries (exit $wrc)" [ "$wrc" -eq 0 ]
awk '{ print $1 }' "$T/watch.out" > "$T/got.txt"
check "the watcher received $N deliveries ($(wc -l < "$T/got.txt"))" [ "$(wc -l < "$T/got.txt")" -eq "$N" ]
check "they are the oldest $N pending deliveries, in increasing delivery order" \
    cmp -s "$T/got.txt" <(head -n "$N" "$T/pending.txt")
check "delivery numbers strictly increase" sh -c "sort -n -c -u '$T/got.txt'"
if [ "$PENDING" -le 1000 ]; then
    # task ids of the acknowledged titles, against the task ids pushed
    sq "SELECT id, title FROM tasks" > "$T/ids.txt"
    awk '{ print $3 }' "$T/watch.out" | sort -n > "$T/got-tasks.txt"
    notgot=$(awk -F'|' 'NR == FNR { id[$2] = $1; next } { print id[$1] }' "$T/ids.txt" "$T/acked.txt" \
             | sort -n | comm -23 - "$T/got-tasks.txt" | head -5)
    check "every acknowledged task was delivered to the watcher${notgot:+ - not: $notgot}" [ -z "$notgot" ]
fi

# podd carries on: a new task after the restart gets the next delivery
OUT=$(pc alice.tm -t 15 --json task new NC-1 --kind general --title "after-restart" 2>&1)
check "a task after the restart is 201 and offered to dev.sw$(printf '%s' "$OUT" | grep -q '"assignee"' || echo ": $OUT")" \
    "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["assignee"]=="dev.sw" else 1)' "$OUT"
last=$(sq "SELECT MAX(id) FROM mailbox")
prev=$(tail -1 "$T/pending.txt")
check "its delivery $last comes after every earlier one (${prev:-none})" [ "$last" -gt "${prev:-0}" ]

if grep -qE "ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:" "$T/podd-killed.log"; then
    not_ok "sanitizer report before the kill: $(grep -A20 -E 'Sanitizer|runtime error' "$T/podd-killed.log" | head -30)"
fi
finish
