# WAL checkpoints beside the writer (issue 13): the writer never copies the
# WAL into the database inside a commit; a checkpointer thread does, when
# a commit leaves the WAL at 1,000 pages or more, and the writer copies
# the last few frames between batches, so the WAL is copied to its end and
# started again. While podd takes a stream of tasks the database file
# grows (pages copied from the WAL), the WAL file stays near 1,000 pages, nothing acknowledged is lost, and the writer
# never had to checkpoint by itself. (That no commit waits for a
# checkpoint shows in time, not here: make bench's send->push p99.)
. "$(dirname "$0")/../lib.sh"
CLIENT_DIR="$ROOT/tests"
sq () { sqlite3 -cmd '.timeout 5000' "$T/podd.db" "$@"; }
size () { stat -c %s "$1" 2>/dev/null || echo 0; }

make_config -e 's|client-timeout = .*|client-timeout = 10000|'
keygen alice.tm dev.sw
start_podd || { not_ok "podd starts"; exit 1; }
check "podd started its checkpointer" grep -q "WAL checkpoints beside the writer" "$T/podd.log"
expect_out "a case led by dev.sw" "CK-1" pc alice.tm case open CK-1 --kind child --lead dev.sw
DB_START=$(size "$T/podd.db")

# one task a request, a commit each (window 1): the WAL grows by a few
# pages a commit, past 1,000 pages several times over
"$PY" "$CLIENT_DIR/podp_client.py" -e "$EP" -k "$T/keys/alice.tm.cert" -s "$T/keys/podd.cert" -t 10 \
    burst --case CK-1 --kind general --prefix ck --total 700 --window 1 --acked "$T/acked.txt" \
    --idle 15 --first-wait 15 --limit 120 > "$T/burst.out" 2>&1
ACKED=$(wc -l < "$T/acked.txt")
check "700 tasks acknowledged, one commit each ($(cat "$T/burst.out"))" [ "$ACKED" -ge 700 ]
DB_NOW=$(size "$T/podd.db")
WAL_NOW=$(size "$T/podd.db-wal")
echo "# database $DB_START -> $DB_NOW bytes while podd runs; WAL $WAL_NOW bytes"
check "the database file grew while podd ran: the WAL was checkpointed ($DB_START -> $DB_NOW)" \
    [ "$DB_NOW" -gt $((DB_START + 400000)) ]
# copied to its end, the WAL is started again from its beginning: its file
# stays near the 1,000 pages that ask for a checkpoint
check "the WAL is started again, its file under 2,000 pages ($WAL_NOW bytes)" [ "$WAL_NOW" -lt $((2000 * 4096)) ]
check "the writer never checkpointed by itself" bash -c "! grep -q 'checkpointed by the writer' '$T/podd.log'"
check "no checkpoint failed" bash -c "! grep -q 'podd: checkpoint:' '$T/podd.log'"
check "every acknowledged task is in the database" [ "$(sq "SELECT COUNT (*) FROM tasks WHERE title LIKE 'ck%'")" -ge "$ACKED" ]
check "the database is sound" [ "$(sq 'PRAGMA integrity_check')" = ok ]
finish
