# Foundation: real podd over CURVE driven by real podctl. Config checks,
# identity, pods, members, cases, chronology, caseload, access and bad input.
. "$(dirname "$0")/../lib.sh"

make_config
# podd -n: a good config, then mistakes reported with their line
expect_out "podd -n accepts the demo config" "^configuration OK$" "$PODD" -n -c "$T/podd.conf"
sed 's/role = "social-worker"/role = "socialworker"/' "$T/podd.conf" > "$T/bad.conf"
line=$(grep -n 'role = "socialworker"' "$T/bad.conf" | head -1 | cut -d: -f1)
OUT=$("$PODD" -n -c "$T/bad.conf" 2>&1); rc=$?
check "podd -n names the line of a bad role ($line)" [ $rc -ne 0 ] && printf '%s' "$OUT" | grep -q "bad.conf:$line:"
printf 'podd\n    endpoint = "tcp://127.0.0.1:1"\n    colour = "blue"\n' > "$T/bad2.conf"
OUT=$("$PODD" -n -c "$T/bad2.conf" 2>&1); rc=$?
check "podd -n names the line of an unknown key" [ $rc -ne 0 ] && printf '%s' "$OUT" | grep -q "bad2.conf:3:"

keygen alice.tm ben.sp dev.sw erin.sw femi.sw hana.saw ivan.supw dana.coord sam.tm tara.sw root.admin
"$PODCTL" keygen stranger --dir "$T/keys" >/dev/null 2>&1    # never registered
start_podd || { not_ok "podd starts"; exit 1; }
ok "podd starts and serves over CURVE"

expect_out "ping" "podd" pc alice.tm ping
expect_out "whoami maps the key to the member" "alice.tm" pc alice.tm whoami
expect_out "whoami --json gives the role" '"role": *"team-manager"' pc alice.tm --json whoami
expect_err "an unregistered key gets 401" 401 pc stranger whoami
expect_out "pod list shows the member's pod" "north" pc dev.sw pod list
OUT=$(pc dev.sw pod list 2>&1)
check "pod list hides other pods from members" [ -z "$(printf '%s' "$OUT" | grep south)" ]
expect_out "admin sees every pod" "south" pc root.admin pod list
expect_out "pod show lists members" "dana.coord" pc alice.tm pod show north
expect_err "pod show of another pod is 403" 403 pc alice.tm pod show south
expect_err "pod show of an unknown pod is 404" 404 pc root.admin pod show nowhere
expect_out "member list" "jo.fiw" pc alice.tm member list
expect_out "member show" "Dev Wren" pc alice.tm member show dev.sw
expect_err "member show unknown is 404" 404 pc alice.tm member show nobody.here

# Member add: manager of the pod yes, social worker no, bad input refused
expect_out "manager adds a member" "kit.sw" pc alice.tm member add kit.sw --name "Kit Lowry" --email kit.sw@pod-north.example --role social-worker --pod north
expect_err "duplicate member is 409" 409 pc alice.tm member add kit.sw --name "Kit Lowry" --email kit.sw@pod-north.example --role social-worker --pod north
expect_err "social worker may not add members" 403 pc dev.sw member add lee.sw --name "Lee" --email lee@pod-north.example --role social-worker --pod north
expect_err "manager of another pod may not add here" 403 pc sam.tm member add lee.sw --name "Lee" --email lee@pod-north.example --role social-worker --pod north
expect_err "unknown role is 422" 422 pc alice.tm member add lee.sw --name "Lee" --email lee@pod-north.example --role wizard --pod north
expect_err "bad email is 422" 422 pc alice.tm member add lee.sw --name "Lee" --email "lee at pod" --role social-worker --pod north
expect_err "CR/LF in a name is 422" 422 pc alice.tm member add lee.sw --name "$(printf 'Lee\r\nBcc: x@y.example')" --email lee@pod-north.example --role social-worker --pod north
expect_err "member add to an unknown pod is 404" 404 pc root.admin member add lee.sw --name "Lee" --email lee@pod-north.example --role social-worker --pod nowhere
expect_err "lee.sw was never added" 404 pc alice.tm member show lee.sw

# Cases
expect_out "manager opens a case with a lead" "NC-1" pc alice.tm case open NC-1 --kind child --lead dev.sw --coworker erin.sw --summary "Fictional child"
expect_out "coordinator opens a carer household" "NH-1" pc dana.coord case open NH-1 --kind carer-household --lead ben.sp
expect_err "social worker may not open cases" 403 pc dev.sw case open NC-9 --kind child
expect_err "duplicate case ref is 409" 409 pc alice.tm case open NC-1 --kind child
expect_err "unknown case kind is 422" 422 pc alice.tm case open NC-2 --kind adult
expect_err "bad case ref is 422" 422 pc alice.tm case open "NC 2;" --kind child
expect_err "lead from another pod is 422" 422 pc alice.tm case open NC-3 --kind child --lead tara.sw
expect_err "unknown lead is 404" 404 pc alice.tm case open NC-3 --kind child --lead nobody
expect_err "manager of another pod cannot open here" 403 pc sam.tm case open NC-3 --kind child --pod north
expect_err "NC-3 was never opened" 404 pc alice.tm case show NC-3
expect_out "case list shows open cases" "NC-1" pc dev.sw case list
expect_out "case list --member filters" "NC-1" pc alice.tm case list --member erin.sw
expect_out "case show has the chronology" "Case opened" pc dev.sw case show NC-1
expect_err "a member of another pod cannot see the case" 403 pc tara.sw case show NC-1
expect_err "unknown case is 404" 404 pc dev.sw case show NC-404
expect_out "allocate changes the lead" "femi.sw" pc alice.tm case allocate NC-1 --lead femi.sw --coworker dev.sw
expect_err "social worker may not allocate" 403 pc dev.sw case allocate NC-1 --lead dev.sw
expect_out "a note goes into the chronology" "concern" pc dev.sw case note NC-1 "School reports missed days" --kind concern --date 2026-01-10
expect_err "a note dated in the future is 422" 422 pc dev.sw case note NC-1 "x" --date 2099-01-01
expect_err "an impossible date is 422" 422 pc dev.sw case note NC-1 "x" --date 2026-02-30
expect_err "an unknown note kind is 422" 422 pc dev.sw case note NC-1 "x" --kind gossip
expect_err "a note from another pod is 403" 403 pc tara.sw case note NC-1 "x"
expect_out "the chronology kept only the good note" "School reports" pc dev.sw case show NC-1
OUT=$(pc dev.sw --json case show NC-1)
n=$($PY -c 'import json,sys; print(len(json.loads(sys.argv[1])["chronology"]))' "$OUT")
check "chronology has exactly 3 entries (opened, allocated, concern): $n" [ "$n" -eq 3 ]
expect_out "caseload counts leads per member" "femi.sw" pc alice.tm caseload
OUT=$(pc alice.tm --json caseload)
check "caseload --json gives femi.sw one lead" $PY -c "
import json,sys; d=json.loads(sys.argv[1])
r=[i for i in d['items'] if i['member']=='femi.sw'][0]; sys.exit(0 if r['lead']==1 else 1)" "$OUT"
expect_out "close a case" "closed" pc alice.tm case close NC-1 --reason "Needs met"
expect_err "closing twice is 409" 409 pc alice.tm case close NC-1
expect_err "a note on a closed case is 409" 409 pc dev.sw case note NC-1 "late"

# Every change is in the audit trail, attributed
n=$(sqlite3 "$T/podd.db" "SELECT COUNT(*) FROM audit a JOIN members m ON m.id = a.actor_id WHERE m.handle = 'alice.tm'")
check "audit trail attributes alice.tm's changes ($n)" [ "$n" -ge 4 ]
check "database is in WAL mode" [ "$(sqlite3 "$T/podd.db" 'PRAGMA journal_mode')" = wal ]

# SIGHUP reloads: a member added to the file becomes known
cat >> "$T/podd.conf" <<'CONF'
CONF
sed -i 's/^admins$/admins\n    member = "ops.admin"\n        name = "Ops Admin"\n        email = "ops.admin@pod-north.example"\n        role = "coordinator"/' "$T/podd.conf"
keygen ops.admin
kill -HUP "$PODD_PID"; sleep 0.5
expect_out "SIGHUP reload brings in a new member and key" "ops.admin" pc ops.admin whoami

finish
