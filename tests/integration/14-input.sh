# Hostile input, on a test clock (issue 16, B C D E F H I): long task
# titles in the return digest; due dates decades back (refused, and rows
# already in a database must not make the scheduler spin); strict dates;
# years podd cannot print; a message with more recipients than one outbox
# read; a mail-domain too long for Message-IDs; MEMBER-ADD checks; and
# CASE-CLOSE counting every open task.
. "$(dirname "$0")/../lib.sh"

export PODD_CLOCK_FILE="$T/clock"
clock () { echo "$1" > "$PODD_CLOCK_FILE"; sleep 0.6; }   # the scheduler polls a test clock
echo "2026-12-01T09:00:00Z" > "$PODD_CLOCK_FILE"
DB="$T/podd.db"
sql () { sqlite3 -cmd ".timeout 5000" "$DB" "$@"; }
# context switches of all podd threads: a 1 ms timer re-armed for ever shows here
wakeups () { cat /proc/$PODD_PID/task/*/status 2>/dev/null | awk '/^(non)?voluntary_ctxt_switches/ {n += $2} END {print n}'; }
jget () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k] if not k.isdigit() else d[int(k)]
print(d)' "$OUT" "$1"; }

# A mail-domain of exactly 211 octets (the most podd allows) ...
LONG_DOMAIN=$($PY -c 'print(".".join(["a"*63, "b"*63, "c"*63, "d"*11, "example"]))')
# ... and one of 253 octets, which DNS allows but no Message-ID of podd's fits
HUGE_DOMAIN=$($PY -c 'print(".".join(["a"*63, "b"*63, "c"*63, "d"*53, "example"]))')

# ---------------------------------------------------------------------------
# H. Message-IDs and the mail-domain, checked together by podd -n
make_config -e "s|mail-domain = .*|mail-domain = \"$HUGE_DOMAIN\"|"
OUT=$("$PODD" -n -c "$T/podd.conf" 2>&1); rc=$?
check "podd -n refuses a ${#HUGE_DOMAIN}-octet mail-domain (exit $rc): $OUT" \
    sh -c "[ $rc -eq 1 ] && printf '%s' '$OUT' | grep -q 'mail-domain is 253 octets: at most 211'"
# the pod sends from a mailbox on the same long domain: its Message-IDs use it
make_config -e "s|mail-domain = .*|mail-domain = \"$LONG_DOMAIN\"|" -e "s|mailbox = \"pod-north@pod-north.example\"|mailbox = \"pod-north@$LONG_DOMAIN\"|"
OUT=$("$PODD" -n -c "$T/podd.conf" 2>&1); rc=$?
check "podd -n accepts a ${#LONG_DOMAIN}-octet mail-domain (exit $rc): $OUT" [ $rc -eq 0 ]

keygen root.admin alice.tm dev.sw erin.sw
start_podd || { not_ok "podd starts"; exit 1; }

# ---------------------------------------------------------------------------
# D. Strict dates: exactly YYYY-MM-DD, digits only
pc alice.tm case open NC-1 --kind child --lead dev.sw >/dev/null
for bad in "2026- 9-05" "2026-+9-05" "2026-9-5" "+026-12-05" "2026-12-05T 9:00" "2026-12-05T+9:00"; do
    expect_err "task due '$bad' is 422" "422.*field 'due'" pc alice.tm task new NC-1 --kind general --title "Visit" --due "$bad"
done
expect_err "a chronology date '2026-1 -01' is 422" 422 pc alice.tm case note NC-1 "Seen" --date "2026-1 -01"
expect_err "an event date '2026- 9-05' is 422" 422 pc alice.tm case event NC-1 --type referral-received --date "2026- 9-05"
OUT=$(pc alice.tm --json task new NC-1 --kind general --title "Check in" --due 2026-12-03); TD=$(jget id)
expect_err "a done date '2026-12- 1' is 422" "422.*field 'date'" pc dev.sw task done "$TD" --evidence "Seen" --date "2026-12- 1"
check "no task was stored with a non-canonical due date" [ "$(sql "SELECT COUNT (*) FROM tasks")" = 1 ]

# ---------------------------------------------------------------------------
# E. Years podd cannot print are refused, never answered with stack bytes
expect_err "load --from 9999-12-31 is 422" "422.*field 'from'" pc alice.tm load --from 9999-12-31
expect_err "load --from 2200-12-31 (a period past 2200) is 422" 422 pc alice.tm load --from 2200-12-31
OUT=$(pc alice.tm --json load --from 2200-12-01 --to 2200-12-20 2>&1)
check "load in 2200 prints its period: $(jget from 2>/dev/null) .. $(jget to 2>/dev/null)" \
    [ "$(jget from 2>/dev/null)" = "2200-12-01T00:00:00Z" -a "$(jget to 2>/dev/null)" = "2200-12-21T00:00:00Z" ]

# ---------------------------------------------------------------------------
# C. Due dates decades back: refused at the door ...
expect_err "a task due in 1900 is 422 naming the field" "422.*field 'due'.*a year in the past" \
    pc alice.tm task new NC-1 --kind general --title "Old" --due 1900-01-01
expect_err "a task due 13 months ago is 422" "422.*field 'due'" pc alice.tm task new NC-1 --kind general --title "Old" --due 2025-11-01
expect_err "a task due in 2040 (ten years ahead) is 422" "422.*field 'due'" pc alice.tm task new NC-1 --kind general --title "Far" --due 2040-01-01
expect_ok "a task due 11 months ago is taken" pc alice.tm task new NC-1 --kind general --title "Late" --due 2026-01-05
pc alice.tm case open NH-1 --kind carer-household --lead erin.sw >/dev/null
expect_err "a panel date in 1900 is 422" "422.*field 'date'" pc alice.tm case event NH-1 --type panel-date-set --date 1900-01-02
# ... and a row already in the database does not make the scheduler spin
OUT=$(pc alice.tm --json task new NC-1 --kind general --title "Ancient" --due 2026-12-20); TA=$(jget id)
stop_podd
# 1900-01-02 17:00 London; its reminder due then too
sql "UPDATE tasks SET due = -2208812400, next_reminder = -2208812400, last_reminded = NULL WHERE id = $TA"
ls "$T/spool" > "$T/spool.before" 2>/dev/null
start_podd || { not_ok "podd restarts with a task due in 1900"; exit 1; }
T0=$(awk '{print $14 + $15}' "/proc/$PODD_PID/stat"); W0=$(wakeups)
sleep 2.5
T1=$(awk '{print $14 + $15}' "/proc/$PODD_PID/stat"); W1=$(wakeups)
HZ=$(getconf CLK_TCK)
CPU=$(( (T1 - T0) * 100 / HZ * 100 / 250 ))
MAILS=$(grep -l "task $TA due" "$T"/spool/*.eml 2>/dev/null | wc -l)
check "a task due in 1900 gets at most one mail in 2.5 s, not a flood ($MAILS)" [ "$MAILS" -le 1 ]
check "podd does not spin on it (${CPU}% CPU, $((W1 - W0)) wake-ups in 2.5 s)" \
    [ "$CPU" -lt 40 -a $((W1 - W0)) -lt 250 ]
NEXT=$(sql "SELECT IFNULL (next_reminder, 0) FROM tasks WHERE id = $TA")
NOW=$(date -u -d "2026-12-01T09:00:00Z" +%s)
check "its next reminder moved past now ($NEXT > $NOW) or stopped" sh -c "[ $NEXT -eq 0 ] || [ $NEXT -gt $NOW ]"
expect_ok "podd still answers" pc alice.tm ping

# ---------------------------------------------------------------------------
# B. The return digest: long titles on a long case reference
REF=$($PY -c 'print("NC-" + "L" * 61)')
pc alice.tm case open "$REF" --kind child --lead dev.sw >/dev/null
OUT=$(pc alice.tm --json leave request --member dev.sw --kind sickness --to 2026-12-02T12:00); L=$(jget id)
clock "2026-12-01T10:00:00Z"
for i in $(seq 1 20); do
    title=$($PY -c 'import sys; print(("Visit %s " % sys.argv[1]) + "x" * (190 - len(sys.argv[1])))' "$i")
    pc alice.tm task new "$REF" --kind general --title "$title" --due 2026-12-1$((i % 10)) >/dev/null \
        || not_ok "task $i with a 200-octet title"
done
clock "2026-12-02T12:00:30Z"
for _ in $(seq 1 30); do grep -lq "Welcome back" "$T"/spool/*.eml 2>/dev/null && break; sleep 0.2; done
check "podd survived the end of the absence" alive
OUT=$(pc dev.sw --json digest 2>&1)
check "the digest was stored ($(jget absence 2>/dev/null))" [ "$(jget absence 2>/dev/null)" = "$L" ]
DIGEST=$(grep -l "Welcome back" "$T"/spool/*.eml 2>/dev/null | head -1)
check "the digest mail is in the spool" [ -n "$DIGEST" ]
OPEN=$(sql "SELECT GROUP_CONCAT (t.id, ' ') FROM tasks t JOIN cases c ON c.id = t.case_id WHERE c.ref = '$REF'")
check "the stored digest lists every open task with its whole title" $PY - "$(pc dev.sw --json digest)" $OPEN <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
got = {str(t["task"]): t["title"] for t in d["open"]}
missing = [t for t in sys.argv[2:] if not got.get(t, "").endswith("x" * 20)]
print("# missing:", missing) if missing else None
sys.exit(1 if missing or len(sys.argv) < 22 else 0)
EOF
check "the digest mail gives counts and where to look, and no case reference or title" $PY - "$DIGEST" "$REF" <<'EOF'
import email, email.policy, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
body = msg.get_content()
ok = ("open while you were away" in body and "podctl digest" in body
      and sys.argv[2] not in body and "NC-" not in body and "Visit 1" not in body and "xxxx" not in body)
print("# body:", body.replace("\n", " | ")) if not ok else None
sys.exit(0 if ok else 1)
EOF
check "its Message-ID is on the whole ${#LONG_DOMAIN}-octet domain of the pod's mailbox" \
    sh -c "tr -d '\r' < '$DIGEST' | grep -qi '^Message-ID: <podd\.[0-9a-f]*\.[0-9a-f]*@$LONG_DOMAIN>$'"

# ---------------------------------------------------------------------------
# F. Every recipient of a message is settled, however many
OUT=$(pc alice.tm --json task new NC-1 --kind review --title "Review" --due 2026-12-15); TR=$(jget id)
OUT=$(pc alice.tm --json task show "$TR"); HOLDER=$(jget assignee)
expect_err "a meeting with 60 invitees is 422, saying the cap" "422.*at most 50 attendees" \
    pc "$HOLDER" meeting schedule "$TR" --start 2026-12-10T10:00 --end 2026-12-10T11:00 --location "Room 2" \
    $(for i in $(seq 1 60); do printf -- '--invite p%d@school.example ' "$i"; done)
stop_podd
OB=$(sql "SELECT id FROM outbox WHERE subject LIKE 'Welcome back%' LIMIT 1")
sql "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
     INSERT INTO outbox_rcpts (outbox_id, address) SELECT $OB, 'p' || i || '@school.example' FROM n;
     UPDATE outbox_rcpts SET state = 'pending', code = 0, text = '' WHERE outbox_id = $OB;
     UPDATE outbox SET state = 'pending', next_attempt = 0 WHERE id = $OB;"
# ... and a message left pending with nobody to send to must not wake the scheduler for ever
OZ=$(sql "SELECT MIN (id) FROM outbox WHERE id != $OB")
sql "UPDATE outbox SET state = 'pending', next_attempt = 1 WHERE id = $OZ;
     UPDATE outbox_rcpts SET state = 'sent' WHERE outbox_id = $OZ;"
check "the digest now has 100 pending recipients" [ "$(sql "SELECT COUNT (*) FROM outbox_rcpts WHERE outbox_id = $OB AND state = 'pending'")" = 100 ]
start_podd || { not_ok "podd restarts"; exit 1; }
for _ in $(seq 1 40); do [ "$(sql "SELECT state FROM outbox WHERE id = $OB")" != pending ] && break; sleep 0.2; done
sleep 0.5
check "the message is settled: $(sql "SELECT state FROM outbox WHERE id = $OB")" [ "$(sql "SELECT state FROM outbox WHERE id = $OB")" = sent ]
check "all 100 recipients were sent, none left pending ($(sql "SELECT state || ':' || COUNT (*) FROM outbox_rcpts WHERE outbox_id = $OB GROUP BY state" | tr '\n' ' '))" \
    [ "$(sql "SELECT COUNT (*) FROM outbox_rcpts WHERE outbox_id = $OB AND state = 'sent'")" = 100 ]
W0=$(wakeups)
sleep 2.5
W1=$(wakeups)
check "a pending message with no recipient left does not wake podd for ever ($((W1 - W0)) wake-ups in 2.5 s)" \
    [ $((W1 - W0)) -lt 250 ]

# ---------------------------------------------------------------------------
# I. MEMBER-ADD checks what the config loader checks
expect_err "member add with a double quote in the name is 422" "422.*field 'name'" \
    pc alice.tm member add lee1.sw --name 'Lee "LJ" Jones' --email lee.sw@pod-north.example --role social-worker --pod north
expect_err "member add with a name of spaces is 422" "422.*field 'name'" \
    pc alice.tm member add lee2.sw --name '   ' --email lee.sw@pod-north.example --role social-worker --pod north
expect_err "member add with skills 'a b' is 422" "422.*field 'skills'" \
    pc alice.tm member add lee3.sw --name 'Lee Jones' --email lee.sw@pod-north.example --role social-worker --pod north --skills 'court work'
expect_err "member add with skills ',,' is 422" "422.*field 'skills'" \
    pc alice.tm member add lee4.sw --name 'Lee Jones' --email lee.sw@pod-north.example --role social-worker --pod north --skills ',,'
check "none of them was added" [ "$(sql "SELECT COUNT (*) FROM members WHERE handle LIKE 'lee%'")" = 0 ]
expect_ok "member add with a good name and skills works" \
    pc alice.tm member add lee.sw --name "Lee O'Neill-Jones" --email lee.sw@pod-north.example --role social-worker --pod north --skills court,welsh

# CASE-CLOSE counts every open task, not the first 1,000
pc alice.tm case open NC-BIG --kind child --lead dev.sw >/dev/null
stop_podd
sql "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
     INSERT INTO tasks (case_id, kind, title, due, priority, state, creator_id, created, updated)
     SELECT c.id, 'general', 'Done ' || i, 1796000000, 'routine', 'done', c.lead_id, 1796000000, 1796000000
     FROM n, cases c WHERE c.ref = 'NC-BIG';
     INSERT INTO tasks (case_id, kind, title, due, priority, state, creator_id, created, updated)
     SELECT c.id, 'general', 'Still open', 1796000000, 'routine', 'open', c.lead_id, 1796000000, 1796000000
     FROM cases c WHERE c.ref = 'NC-BIG';"
start_podd || { not_ok "podd restarts"; exit 1; }
expect_err "closing a case whose 1,001st task is open is 409" "409.*1 open task" pc alice.tm case close NC-BIG
check "the case is still open" [ "$(sql "SELECT status FROM cases WHERE ref = 'NC-BIG'")" = open ]

finish
