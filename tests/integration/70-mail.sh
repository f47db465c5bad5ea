# Mail and reminders end to end: podd on a test clock with a real SMTP
# server (aiosmtpd). Reminders before the due date and when overdue, on
# the holder's working days, escalation to the team manager; an SMTP
# outage (the daemon keeps serving, every message delivered exactly once
# after, counted by Message-ID at the server); a 550 for one recipient is
# permanent and shown to the manager while the other gets theirs; SIGKILL
# between queueing and sending; a hanging server.
. "$(dirname "$0")/../lib.sh"
SMTPD="$ROOT/tests/smtp_server.py"
SERVER_PID=""
stop_smtp () { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }
trap 'stop_smtp; cleanup' EXIT
SPORT=$(free_port)
# smtp NAME ARGS...: an SMTP server on $SPORT writing into $T/NAME
smtp () {
    local name=$1; shift
    $PY "$SMTPD" --port "$SPORT" --dir "$T/$name" "$@" 2>> "$T/$name.log" &
    SERVER_PID=$!
    for _ in $(seq 1 50); do [ -f "$T/$name/ready" ] && return 0; sleep 0.1; done
    not_ok "smtp server $name starts: $(tail -3 "$T/$name.log")"
}
# ids: every Message-ID the SMTP servers accepted, one per line
ids () { cat "$T"/smtp*/msg-*.eml 2>/dev/null | tr -d '\r' | sed -n 's/^Message-I[dD]: *<\(.*\)>$/\1/p'; }
count_id () { ids | grep -cxF "$1"; }
# deliveries: "MESSAGE-ID RECIPIENT" for every recipient of every accepted message
deliveries () {
    for f in "$T"/smtp*/msg-*.eml; do
        [ -f "$f" ] || continue
        id=$(tr -d '\r' < "$f" | sed -n 's/^Message-I[dD]: *<\(.*\)>$/\1/p')
        while read -r r; do echo "$id $r"; done < "${f%.eml}.rcpt"
    done
}
export PODD_CLOCK_FILE="$T/clock"
clock () { echo "$1" > "$PODD_CLOCK_FILE"; sleep 0.8; }
echo "2026-12-01T09:00:00Z" > "$PODD_CLOCK_FILE"

make_config -e "s|smtp = .*|smtp = \"127.0.0.1:$SPORT\"|" -e 's|starttls = .*|starttls = "off"|' \
            -e 's|retry-base = .*|retry-base = 1|' -e 's|timeout = 30 |timeout = 2 |' -e 's|^    timeout = 30$|    timeout = 2|'
grep -q "retry-base = 1" "$T/podd.conf" || not_ok "test config sets retry-base"
keygen alice.tm dev.sw erin.sw
smtp smtp1
start_podd || { not_ok "podd starts"; exit 1; }
jget () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k] if not k.isdigit() else d[int(k)]
print(d)' "$OUT" "$1"; }

pc alice.tm case open NC-1 --kind child --lead dev.sw >/dev/null
OUT=$(pc alice.tm --json task new NC-1 --kind statutory-visit --title "Visit the family" --due 2026-12-10)
T1=$(jget id)
OUT=$(pc dev.sw --json reminders "$T1")
check "first reminder is 7 days before, 08:00 London ($(jget next))" [ "$(jget next)" = "2026-12-03T08:00:00Z" ]

watch_bg dev.sw "$T/watch.out" --count 5
# the watcher is in once its replay (the new task) has come: a loaded machine is slow to connect
for _ in $(seq 1 100); do grep -q " task $T1 " "$T/watch.out" && break; sleep 0.1; done
clock "2026-12-03T08:00:30Z"
for _ in $(seq 1 30); do [ -n "$(ids)" ] && break; sleep 0.2; done
check "the 7-day reminder reached the SMTP server" [ "$(ids | wc -l)" -eq 1 ]
MSG=$(ls "$T"/smtp1/msg-*.eml | head -1)
check "it went to dev.sw" grep -q "dev.sw@pod-north.example" "${MSG%.eml}.rcpt"
check "its subject carries no case reference" sh -c "! grep -i '^Subject:.*NC-1' '$MSG'"
check "its Message-ID is on the pod's mail domain" [ -n "$(ids | grep '@pod-north.example$')" ]
for _ in $(seq 1 50); do grep -q "reminder" "$T/watch.out" && break; sleep 0.1; done
kill "$W" 2>/dev/null; wait "$W" 2>/dev/null
check "the reminder was pushed to dev.sw's client" grep -q "reminder" "$T/watch.out"
OUT=$(pc dev.sw --json reminders "$T1")
check "next reminder is 1 day before ($(jget next))" [ "$(jget next)" = "2026-12-09T08:00:00Z" ]

# Outage: the server goes away, reminders fall due, podd keeps serving
stop_smtp
clock "2026-12-09T08:00:30Z"
sleep 1.5
expect_out "podd serves clients during the outage" "podd" pc alice.tm ping
OUT=$(pc alice.tm --json mail queue --state pending)
check "mail queue shows the reminder pending ($(jget counts.pending))" [ "$(jget counts.pending)" -ge 1 ]
check "with its attempts and the reason" $PY -c 'import json,sys; d=json.loads(sys.argv[1])
i=d["items"][0]; sys.exit(0 if i["attempts"] >= 1 and i["last_error"] else 1)' "$OUT"
PENDING_ID=$(jget items.0.message_id)
clock "2026-12-10T17:00:30Z"      # due: overdue reminder queued during the outage too
sleep 1
smtp smtp2
clock "2026-12-10T17:10:00Z"      # podd's clock moves on: the retries fall due
for _ in $(seq 1 60); do [ "$(pc alice.tm --json mail queue --state pending | $PY -c 'import json,sys; print(json.load(sys.stdin)["counts"]["pending"])')" = 0 ] && break; sleep 0.5; done
check "after the outage the pending reminder arrived exactly once" [ "$(count_id "$PENDING_ID")" -eq 1 ]
check "every message so far arrived exactly once" [ -z "$(deliveries | sort | uniq -d)" ]
check "three reminders in all (7-day, 1-day, overdue)" [ "$(ids | sort -u | wc -l)" -eq 3 ]

# Weekend: dev.sw works mon-fri; escalation after 3 working days overdue,
# and the manager's address is refused with 550
stop_smtp
smtp smtp3 --reject alice.tm@pod-north.example
clock "2026-12-11T08:00:30Z"    # Fri: overdue 1
clock "2026-12-12T08:00:30Z"    # Sat: nothing
clock "2026-12-13T08:00:30Z"    # Sun: nothing
clock "2026-12-14T08:00:30Z"    # Mon: overdue 2
clock "2026-12-15T08:00:30Z"    # Tue: overdue 3 -> escalation
sleep 2
OUT=$(pc dev.sw --json reminders "$T1")
check "no reminder on Saturday or Sunday" $PY -c 'import json,sys; d=json.loads(sys.argv[1])
sys.exit(0 if not any(r["at"].startswith(("2026-12-12","2026-12-13")) for r in d["sent"]) else 1)' "$OUT"
check "an escalation was sent on the third working day overdue" $PY -c 'import json,sys; d=json.loads(sys.argv[1])
sys.exit(0 if any(r["kind"]=="escalation" and r["at"].startswith("2026-12-15") for r in d["sent"]) else 1)' "$OUT"
OUT=$(pc alice.tm --json mail queue --state failed)
check "the 550 is permanent and shown to the manager" $PY -c 'import json,sys; d=json.loads(sys.argv[1])
r=[x for i in d["items"] for x in i["recipients"] if x["address"]=="alice.tm@pod-north.example"]
sys.exit(0 if r and r[0]["state"]=="failed" and r[0]["code"]==550 else 1)' "$OUT"
check "while dev.sw got the escalation" sh -c "grep -l 'dev.sw@pod-north.example' '$T'/smtp3/msg-*.rcpt >/dev/null"
FAILED=$(jget items.0.id)
expect_err "a social worker cannot see the mail queue" 403 pc dev.sw mail queue
expect_err "a social worker cannot retry mail" 403 pc dev.sw mail retry "$FAILED"
expect_err "retrying an unknown message is 404" 404 pc alice.tm mail retry 99999
stop_smtp
smtp smtp4
expect_out "the manager retries the failed message" "pending" pc alice.tm mail retry "$FAILED"
for _ in $(seq 1 30); do ls "$T"/smtp4/msg-*.rcpt >/dev/null 2>&1 && break; sleep 0.3; done
check "after the retry the manager's copy arrives" sh -c "grep -l 'alice.tm@pod-north.example' '$T'/smtp4/msg-*.rcpt >/dev/null"
expect_err "retrying a message that did not fail is 409" 409 pc alice.tm mail retry "$FAILED"

# SIGKILL between queueing and sending: delivered once after restart
stop_smtp
clock "2026-12-16T08:00:30Z"
sleep 1
OUT=$(pc alice.tm --json mail queue --state pending)
KILLED_ID=$(jget items.0.message_id)
kill9_podd
smtp smtp5
start_podd || not_ok "podd restarts after SIGKILL"
clock "2026-12-16T08:10:00Z"      # the retry falls due on podd's clock
for _ in $(seq 1 40); do [ "$(count_id "$KILLED_ID")" -ge 1 ] && break; sleep 0.3; done
sleep 1
check "the message queued before SIGKILL was delivered once after restart" [ "$(count_id "$KILLED_ID")" -eq 1 ]
check "no message was ever delivered twice to the same recipient" [ -z "$(deliveries | sort | uniq -d)" ]

# A server that hangs: podd times out, keeps serving, and retries
stop_smtp
smtp smtp6 --hang greeting --hang-seconds 30
clock "2026-12-17T08:00:30Z"
sleep 1
expect_out "podd serves clients while the SMTP server hangs" "podd" pc alice.tm ping
sleep 3
OUT=$(pc alice.tm --json mail queue --state pending)
check "the hung message is pending with a reason ($(jget items.0.last_error))" [ -n "$(jget items.0.last_error)" ]
stop_smtp
# Done: the task is done, reminders stop
pc dev.sw task accept "$T1" >/dev/null; pc dev.sw task done "$T1" --evidence "Visited" >/dev/null
OUT=$(pc dev.sw --json reminders "$T1")
check "no reminder is due once the task is done" [ "$(jget next)" = None ]
finish
