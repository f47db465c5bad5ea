# Audit trail (issue 17, item 16): `podctl audit` for team managers (their
# pod only) and admins: who did what and when, Europe/London times in the
# table and UTC in --json, filters by case, member and period, paged, and
# refused attempts (401, 403) with their connection, coalesced so that a
# flood of refused requests writes a handful of rows, not one each.
. "$(dirname "$0")/../lib.sh"

make_config
keygen alice.tm dev.sw erin.sw sam.tm tara.sw root.admin
start_podd || { not_ok "podd starts"; exit 1; }
CLIENT="$ROOT/tests/podp_client.py"
py () {
    local key=$1; shift
    case $key in */*) ;; *) key="$T/keys/$key.cert" ;; esac
    "$PY" "$CLIENT" -e "$EP" -k "$key" -s "$T/keys/podd.cert" -t 5 "$@"
}
# jq-like: EXPR over the JSON in $OUT, e.g. 'len(d["items"])'
jx () { "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$OUT" "$1" 2>/dev/null; }

# Some work in both pods
expect_ok "north: case NC-1" pc alice.tm case open NC-1 --kind child --lead dev.sw
expect_ok "north: case NC-2" pc alice.tm case open NC-2 --kind child --lead erin.sw
expect_ok "south: case SC-1" pc sam.tm case open SC-1 --kind child --lead tara.sw
T1=$(pc alice.tm --json task new NC-1 --kind general --title "Visit" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')
expect_ok "dev.sw accepts task $T1" pc dev.sw task accept "$T1"
expect_ok "dev.sw notes NC-1" pc dev.sw case note NC-1 "Spoke to school"
expect_ok "tara.sw notes SC-1" pc tara.sw case note SC-1 "Home visit"

# Refused attempts: 403 from a member, 401 from an unknown key
expect_err "dev.sw may not reassign (403)" 403 pc dev.sw task reassign "$T1" --to erin.sw
expect_err "tara.sw may not read north's case (403)" 403 pc tara.sw case show NC-2
mkdir -p "$T/stranger"
"$PY" -c 'import sys, zmq.auth; zmq.auth.create_certificates(sys.argv[1], "stranger")' "$T/stranger"
OUT=$(py "$T/stranger/stranger.key" request CASE-SHOW '{"ref":"NC-1"}' --rid 9)
check "an unknown key is refused 401" [ "$(jx 'd["status"]')" = 401 ]

# Who may read it
expect_err "a social worker may not read the audit trail (403)" 403 pc dev.sw audit
expect_err "a team manager may not read another pod's trail (403)" 403 pc alice.tm audit --pod south
expect_err "... nor a case of another pod (403)" 403 pc alice.tm audit --case SC-1
expect_err "an unknown case is 404" 404 pc alice.tm audit --case NC-404
expect_err "an unknown member is 404" 404 pc alice.tm audit --member nobody
expect_err "a bad date is 422" 422 pc alice.tm audit --from 2026-02-30
expect_err "a limit over 1000 is 422" 422 pc alice.tm audit --limit 1001

# The team manager sees their pod's trail, nothing of the other pod
OUT=$(pc alice.tm --json audit)
check "north's trail has entries ($(jx 'len(d["items"])'))" [ "$(jx 'len(d["items"])')" -ge 6 ]
check "... none about south's case" [ "$(jx 'sum(1 for i in d["items"] if i["case"]=="SC-1" or i["pod"]!="north")')" = 0 ]
check "... south's members only in their refused attempts on north's cases" \
      [ "$(jx 'sum(1 for i in d["items"] if i["actor"] in ("sam.tm","tara.sw") and not (i["action"]=="refused" and i["case"]=="NC-2"))')" = 0 ]
check "--json times are UTC" [ "$(jx 'all(i["at"].endswith("Z") for i in d["items"])')" = True ]
check "the task's acceptance is there, by dev.sw, on NC-1" [ "$(jx 'sum(1 for i in d["items"] if i["action"]=="task-accept" and i["actor"]=="dev.sw" and i["case"]=="NC-1")')" = 1 ]
check "dev.sw's refused reassign (403) is recorded with its connection" \
      [ "$(jx 'sum(1 for i in d["items"] if i["action"]=="refused" and i["actor"]=="dev.sw" and "403" in i["detail"] and "TASK-REASSIGN" in i["detail"] and i["connection"].startswith("curve:") and "peer:" in i["connection"])')" = 1 ]
check "the unknown key's 401 on NC-1 is in north's trail" \
      [ "$(jx 'sum(1 for i in d["items"] if i["action"]=="refused" and i["actor"] is None and "401" in i["detail"] and i["case"]=="NC-1")')" = 1 ]
OUT=$(pc sam.tm --json audit)
check "south's manager does not see tara.sw's refused look at NC-2 (north's case)" \
      [ "$(jx 'sum(1 for i in d["items"] if i["case"]=="NC-2")')" = 0 ]
check "south's manager sees south's note" [ "$(jx 'sum(1 for i in d["items"] if i["action"]=="case-note" and i["case"]=="SC-1")')" = 1 ]
OUT=$(pc alice.tm --json audit --case NC-2)
check "north's manager sees tara.sw's refused CASE-SHOW of NC-2" \
      [ "$(jx 'sum(1 for i in d["items"] if i["action"]=="refused" and i["actor"]=="tara.sw")')" = 1 ]
check "--case NC-2: only NC-2" [ "$(jx 'all(i["case"]=="NC-2" for i in d["items"])')" = True ]
OUT=$(pc alice.tm --json audit --member dev.sw)
check "--member dev.sw: only dev.sw's doings ($(jx 'len(d["items"])'))" [ "$(jx 'len(d["items"])')" -ge 3 ] && [ "$(jx 'all(i["actor"]=="dev.sw" for i in d["items"])')" = True ]
OUT=$(pc root.admin --json audit)
check "an admin sees both pods" [ "$(jx 'sum(1 for i in d["items"] if i["case"]=="SC-1")')" -ge 1 ] && [ "$(jx 'sum(1 for i in d["items"] if i["case"]=="NC-1")')" -ge 1 ]
OUT=$(pc root.admin --json audit --from 2000-01-01 --to 2000-12-31)
check "a period with nothing in it is empty" [ "$(jx 'len(d["items"])')" = 0 ]

# Paging: newest first, --limit and --before
OUT=$(pc alice.tm --json audit --limit 2)
N1=$(jx 'd["next"]'); I1=$(jx '[i["id"] for i in d["items"]]')
check "a page of 2, newest first, says where the next starts ($I1, next $N1)" [ "$(jx 'len(d["items"])')" = 2 ] && [ "$(jx 'd["items"][0]["id"] > d["items"][1]["id"]')" = True ] && [ "$N1" = "$(jx 'd["items"][1]["id"]')" ]
OUT=$(pc alice.tm --json audit --limit 2 --before "$N1")
check "the next page starts below it" [ "$(jx 'all(i["id"] < '"$N1"' for i in d["items"])')" = True ]
ALL=$(pc alice.tm --json audit --limit 1000 | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
PAGED=0; BEFORE=""
for _ in $(seq 1 50); do
    OUT=$(pc alice.tm --json audit --limit 3 ${BEFORE:+--before $BEFORE})
    PAGED=$((PAGED + $(jx 'len(d["items"])'))); BEFORE=$(jx 'd["next"]')
    [ "$BEFORE" = None ] && break
done
check "paging by 3 walks the whole trail ($PAGED of $ALL)" [ "$PAGED" = "$ALL" ]

# The table: Europe/London times, the connection under each line
expect_out "the table shows London time, WHO and the connection" 'WHEN \(LONDON\).*WHO' pc alice.tm audit
check "... times as 'Mon 7 Dec 2026 17:00'" sh -c "printf '%s\n' \"\$1\" | grep -Eq '^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{1,2} [A-Z][a-z]{2} 20[0-9]{2} [0-9]{2}:[0-9]{2} '" _ "$OUT"
check "... with 'from curve:' lines" sh -c "printf '%s\n' \"\$1\" | grep -q 'from curve:'" _ "$OUT"
# A summer time shows in BST: a clock at 2026-07-01T09:00:00Z is 10:00 in London
stop_podd
echo "2026-07-01T09:00:00Z" > "$T/clock"
PODD_CLOCK_FILE="$T/clock" start_podd || not_ok "podd restarts with a test clock"
expect_ok "a note in July" pc dev.sw case note NC-1 "Summer note"
OUT=$(pc alice.tm --json audit --limit 1)
check "--json: 2026-07-01T09:00:00Z" [ "$(jx 'd["items"][0]["at"]')" = 2026-07-01T09:00:00Z ]
expect_out "the table: Wed 1 Jul 2026 10:00 (BST)" '^Wed 1 Jul 2026 10:00 +dev.sw +case-note' pc alice.tm audit --limit 1

# A flood of refused requests from unknown keys writes a handful of rows
BEFORE_ROWS=$(sqlite3 "$T/podd.db" "SELECT COUNT(*) FROM audit WHERE action = 'refused'")
OUT=$("$PY" - "$CLIENT" "$EP" "$T/stranger/stranger.key" "$T/keys/podd.cert" <<'PYEOF'
import importlib.util, json, sys, time
spec = importlib.util.spec_from_file_location("podp_client", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
c = m.PodpClient(sys.argv[2], sys.argv[3], sys.argv[4], timeout=10)
n = 2000
for rid in range(1, n + 1):
    c.send_raw([b"PODP/1", b"PING", json.dumps({"rid": rid}).encode()])
got = {}
deadline = time.monotonic() + 20
while len(got) < n and time.monotonic() < deadline:
    try:
        r = c.recv_reply(any_rid=True, timeout=5)
    except m.NoAnswer:
        break
    got[r.get("rid")] = r.get("status")
print(json.dumps({"answered": len(got), "s401": sum(1 for s in got.values() if s == 401)}))
PYEOF
)
AFTER_ROWS=$(sqlite3 "$T/podd.db" "SELECT COUNT(*) FROM audit WHERE action = 'refused'")
check "2000 pipelined PINGs from an unknown key are all answered 401 ($OUT)" [ "$(jx 'd["s401"]')" = 2000 ]
check "... and write at most one refusal row ($((AFTER_ROWS - BEFORE_ROWS)))" [ $((AFTER_ROWS - BEFORE_ROWS)) -le 1 ]
expect_ok "a member is served right after the flood" pc dev.sw whoami
# A long trail: each request looks at 20000 rows at most and says where to
# go on, so a sparse search never holds the daemon up
stop_podd
sqlite3 "$T/podd.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
    INSERT INTO audit (at, actor_id, connection, action, object, detail)
    SELECT 1782900000 + i, NULL, 'test', 'filler', 'nothing', '' FROM n"
start_podd || { not_ok "podd restarts"; exit 1; }
start_ms=$(date +%s%3N)
OUT=$(pc alice.tm --json audit --case NC-1 --limit 5)
took=$(( $(date +%s%3N) - start_ms ))
check "behind 30000 other rows: an empty page that says where to go on (next $(jx 'd["next"]'), ${took} ms)" \
      [ "$(jx 'len(d["items"])')" = 0 ] && [ "$(jx 'd["next"]')" != None ]
OUT=$(pc alice.tm --json audit --case NC-1 --limit 5 --before "$(jx 'd["next"]')")
check "... following it finds NC-1's rows" [ "$(jx 'len(d["items"])')" -ge 1 ] && [ "$(jx 'all(i["case"]=="NC-1" for i in d["items"])')" = True ]
finish
