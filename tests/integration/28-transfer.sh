# Case transfer between pods (issue 15, item 4), on a test clock with the
# real podd, the real podctl and a real SMTP server (aiosmtpd): a transfer
# needs both team managers' agreement (nothing moves after one); when both
# agree the case moves with its new lead, its open tasks move with their
# history and are routed within the new pod, a joint handover visit is made
# (a meeting with both leads as attendees and the family's partners
# invited, read by python3-icalendar), and the old lead stays a co-worker
# until that visit is done. A refused transfer changes nothing; planted
# chronology gaps are shown and either recorded or sent to the lead; bad
# input is refused with a status and changes nothing; e-mail carries only
# a notice, never a case reference.
. "$(dirname "$0")/../lib.sh"
SMTPD="$ROOT/tests/smtp_server.py"
CHECK="$ROOT/tests/check_invite.py"
SERVER_PID=""
stop_smtp () { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }
trap 'stop_smtp; cleanup' EXIT
MAILDIR="$T/smtp"
SPORT=$(free_port)
$PY "$SMTPD" --port "$SPORT" --dir "$MAILDIR" 2>> "$T/smtp.log" &
SERVER_PID=$!
for _ in $(seq 1 50); do [ -f "$MAILDIR/ready" ] && break; sleep 0.1; done
[ -f "$MAILDIR/ready" ] || { not_ok "smtp server starts: $(tail -3 "$T/smtp.log")"; exit 1; }

export PODD_CLOCK_FILE="$T/clock"
clock () { echo "$1" > "$PODD_CLOCK_FILE"; sleep 0.6; }
echo "2026-12-01T09:00:00Z" > "$PODD_CLOCK_FILE"
make_config -e "s|smtp = .*|smtp = \"127.0.0.1:$SPORT\"|" -e 's|starttls = .*|starttls = "off"|' \
            -e 's|retry-base = .*|retry-base = 1|'
keygen alice.tm dev.sw erin.sw ben.sp sam.tm tara.sw umar.sw root.admin
start_podd || { not_ok "podd starts"; exit 1; }
jget () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k] if not k.isdigit() else d[int(k)]
print(d)' "$OUT" "$1"; }
# jq_ PYEXPR: evaluate a Python expression on d = the JSON in $OUT
jq_ () { $PY -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$OUT" "$1"; }
# texts_have PYEXPR REGEX: a string of the list PYEXPR (on d = the JSON in $OUT) matches REGEX
texts_have () { $PY -c 'import json,re,sys; d=json.loads(sys.argv[1]); sys.exit(0 if any(re.search(sys.argv[3], t) for t in eval(sys.argv[2])) else 1)' "$OUT" "$1" "$2"; }
NOTICES='[n["text"] for n in d["items"]]'
CHRONO='[e["text"] for e in d["chronology"]]'
# wait_mail REGEX: a spooled message whose subject matches, printed as its file
wait_mail () {
    for _ in $(seq 1 75); do
        f=$(grep -l -E "^Subject: .*$1" "$MAILDIR"/msg-*.eml 2>/dev/null | head -1)
        [ -n "$f" ] && { echo "$f"; return 0; }
        sleep 0.2
    done
    return 1
}
# bodies: every spooled message as "FILE<TAB>TO<TAB>SUBJECT<TAB>BODY (one line)"
bodies () { $PY - "$MAILDIR" <<'EOF'
import email, glob, sys
from email import policy
for f in sorted(glob.glob(sys.argv[1] + "/msg-*.eml")):
    m = email.message_from_binary_file(open(f, "rb"), policy=policy.default)
    part = m.get_body(preferencelist=("plain",))
    body = part.get_content() if part else ""
    print("\t".join([f, str(m["To"]), str(m["Subject"]), body.replace("\n", " | ")]))
EOF
}
# case_field WHO REF FIELD
case_field () { pc "$1" --json case show "$2" | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d[sys.argv[1]])' "$3"; }

# --- The family: NC-501 in pod north, led by dev.sw, erin.sw a co-worker
pc alice.tm case open NC-501 --kind child --lead dev.sw --coworker erin.sw --summary "Fictional child Robin" >/dev/null
pc alice.tm partner add --agency "Brook Primary" --agency-kind school --name "Pat Head" \
    --email head@brook-primary.example >/dev/null
pc alice.tm partner add --agency "North Health" --agency-kind health --name "Nia Nurse" \
    --email nia.nurse@north-health.example >/dev/null
pc alice.tm partner link NC-501 head@brook-primary.example >/dev/null
pc alice.tm partner link NC-501 nia.nurse@north-health.example >/dev/null
OUT=$(pc alice.tm --json task new NC-501 --kind statutory-visit --title "Visit at home" --due 2026-12-16); T1=$(jget id)
OUT=$(pc alice.tm --json task new NC-501 --kind general --title "Send the school the plan" --due 2026-12-17); T2=$(jget id)
pc dev.sw task handoff "$T2" --to erin.sw --reason "erin knows the school" >/dev/null
pc erin.sw task accept "$T2" >/dev/null
OUT=$(pc alice.tm --json task new NC-501 --kind general --title "Book the review" --due 2026-12-18); T3=$(jget id)
pc dev.sw task accept "$T3" >/dev/null
pc alice.tm case open NC-509 --kind child --lead dev.sw >/dev/null
pc alice.tm case close NC-509 >/dev/null

# --- Bad input: a clear status, nothing changed ---------------------------------
expect_err "an unknown case is 404" 404 pc alice.tm case transfer NC-999 --to-pod south --lead tara.sw
expect_err "an unknown pod is 404" 404 pc alice.tm case transfer NC-501 --to-pod east --lead tara.sw
expect_err "the case's own pod is 422" 422 pc alice.tm case transfer NC-501 --to-pod north
expect_err "a social worker may not ask (403)" 403 pc dev.sw case transfer NC-501 --to-pod south --lead tara.sw
expect_err "a member of the receiving pod who is not its manager may not ask (403)" 403 pc tara.sw case transfer NC-501 --to-pod south --lead tara.sw
expect_err "a closed case is 409" 409 pc alice.tm case transfer NC-509 --to-pod south --lead tara.sw
expect_err "a new lead outside the receiving pod is 422" 422 pc alice.tm case transfer NC-501 --to-pod south --lead erin.sw
expect_err "an unknown new lead is 404" 404 pc alice.tm case transfer NC-501 --to-pod south --lead zed.sw
expect_err "the receiving manager asking must name the lead (422)" 422 pc sam.tm case transfer NC-501 --to-pod south
expect_err "a visit in the past is 422" 422 pc alice.tm case transfer NC-501 --to-pod south --lead tara.sw --visit 2026-11-30T10:00
expect_err "a visit without a time is 422" 422 pc alice.tm case transfer NC-501 --to-pod south --lead tara.sw --visit 2026-12-03
expect_err "a side the caller is not manager of is 403" 403 pc alice.tm case transfer NC-501 --to-pod south --lead tara.sw --side receiving
OUT=$(pc alice.tm --json case transfers --status all)
check "after all that there is no transfer ($(jq_ 'len(d["items"])'))" [ "$(jq_ 'len(d["items"])')" = 0 ]

# --- One consent: nothing moves -------------------------------------------------
OUT=$(pc alice.tm --json case transfer NC-501 --to-pod south --lead tara.sw --visit 2026-12-03T10:00 \
      --location "Family home, Mill Lane" --note "Long-term work: to the south pod"); X=$(jget id)
check "alice.tm's request is her pod's consent, recorded with who and when" \
    [ "$(jq_ 'd["status"], d["sending_consent"]["by"], d["sending_consent"]["at"], d["receiving_consent"]')" = "('pending', 'alice.tm', '2026-12-01T09:00:00Z', None)" ]
check "the request shows the chronology check (complete)" [ "$(jq_ 'd["check"]["ok"]')" = True ]
check "after one consent the case is still north's, led by dev.sw" \
    [ "$(case_field alice.tm NC-501 pod) $(case_field alice.tm NC-501 lead)" = "north dev.sw" ]
OUT=$(pc alice.tm --json task list --case NC-501)
check "... its tasks still with dev.sw and erin.sw, no joint visit yet" \
    [ "$(jq_ '",".join(sorted(t["assignee"] + ":" + t["kind"] for t in d["items"]))')" = "dev.sw:general,dev.sw:statutory-visit,erin.sw:general" ]
expect_err "a second transfer of the same case is 409" 409 pc sam.tm case transfer NC-501 --to-pod south --lead umar.sw
expect_err "alice.tm agreeing again is 409" 409 pc alice.tm case transfer-approve "$X"
expect_err "the old lead may not approve (403)" 403 pc dev.sw case transfer-approve "$X"
expect_err "the new lead may not approve (403)" 403 pc tara.sw case transfer-approve "$X"
expect_err "an unknown transfer is 404" 404 pc sam.tm case transfer-approve 999
OUT=$(pc sam.tm --json case transfers)
check "sam.tm sees it pending, with its chronology check" [ "$(jq_ '[(t["id"], t["case"], t["check"]["ok"]) for t in d["items"]]')" = "[($X, 'NC-501', True)]" ]
expect_out "podctl prints each side's consent (the receiving side: not yet)" "receiving_pod: +not yet" pc sam.tm case transfers
OUT=$(pc sam.tm --json notices --kind case-transfer)
check "sam.tm was told (kept notice)" texts_have "$NOTICES" "transfer $X of NC-501 from pod north to pod south: requested by alice.tm"
OUT=$(pc dev.sw --json notices --kind case-transfer)
check "dev.sw, the lead, was told too" [ "$(jq_ 'len(d["items"])')" = 1 ]
OUT=$(pc tara.sw --json notices --kind case-transfer)
check "tara.sw, the proposed lead, was told too" [ "$(jq_ 'len(d["items"])')" = 1 ]
M=$(wait_mail "Case transfer $X") || M=""
check "sam.tm got an e-mail notice" sh -c "[ -n '$M' ] && grep -q 'sam.tm@pod-south.example' '$M'"

# --- Both agree: the case moves ---------------------------------------------------
OUT=$(pc sam.tm --json case transfer-approve "$X"); VT=$(jget visit_task)
check "sam.tm agrees: done, both consents recorded" \
    [ "$(jq_ 'd["status"], d["sending_consent"]["by"], d["receiving_consent"]["by"], d["new_lead"], d["old_lead"]')" = "('done', 'alice.tm', 'sam.tm', 'tara.sw', 'dev.sw')" ]
OUT=$(pc sam.tm --json case show NC-501)
check "the case is south's now, led by tara.sw, dev.sw its only co-worker" \
    [ "$(jq_ 'd["pod"], d["lead"], d["coworkers"]')" = "('south', 'tara.sw', ['dev.sw'])" ]
check "the chronology says so" texts_have "$CHRONO" "Transferred from pod north to pod south \\(transfer $X\\)"
OUT=$(pc sam.tm --json task list --case NC-501)
HOLDERS=$(jq_ '" ".join(str(t["id"]) + "=" + str(t["assignee"]) for t in d["items"])')
check "the open tasks moved with the case, routed within south ($HOLDERS)" \
    $PY -c 'import json,sys; d=json.loads(sys.argv[1])
south={"sam.tm","tara.sw","umar.sw","vic.supw"}
live=[t for t in d["items"] if t["state"] in ("open","offered","accepted")]
sys.exit(0 if len(live) == 4 and all(t["assignee"] in south for t in live) else 1)' "$OUT"
OUT=$(pc sam.tm --json task show "$T2")
check "erin.sw's task has a history row: transferred from pod north to pod south by sam.tm" \
    $PY -c 'import json,sys; d=json.loads(sys.argv[1])
sys.exit(0 if any(h["event"] == "transferred" and "from pod north to pod south by sam.tm" in h["reason"] and h["assignee"] == "erin.sw" for h in d["history"]) else 1)' "$OUT"
check "... and its earlier history is kept (created, handoff)" \
    $PY -c 'import json,sys; d=json.loads(sys.argv[1]); e=[h["event"] for h in d["history"]]; sys.exit(0 if e.index("handoff") < e.index("transferred") else 1)' "$OUT"
expect_err "erin.sw, left in north, no longer sees the case" 403 pc erin.sw case show NC-501
expect_ok "dev.sw, a co-worker until the visit, still sees it" pc dev.sw case show NC-501
OUT=$(pc sam.tm --json task show "$VT")
check "the joint visit task: kind handover-visit, offered to tara.sw" [ "$(jq_ 'd["kind"], d["assignee"], d["state"]')" = "('handover-visit', 'tara.sw', 'offered')" ]
OUT=$(pc sam.tm --json meeting attendees "$VT")
check "its meeting: both leads attend, the family's partners are invited" \
    [ "$(jq_ '",".join(sorted(a["email"] + "/" + a["kind"] for a in d["attendees"]))')" = "dev.sw@pod-north.example/member,head@brook-primary.example/partner,nia.nurse@north-health.example/partner,tara.sw@pod-south.example/member" ]
check "... at 10:00 on 3 December (UTC $(jget start)), Mill Lane" [ "$(jget start) $(jget location)" = "2026-12-03T10:00:00Z Family home, Mill Lane" ]
INV=""
for _ in $(seq 1 75); do
    INV=$($PY "$CHECK" scan "$MAILDIR" | awk '$2 == "REQUEST" {print $1}' | head -1); [ -n "$INV" ] && break; sleep 0.2
done
if FACTS=$($PY "$CHECK" invite "$INV" --forbid NC-501 --forbid Robin 2>&1); then ok "python3-icalendar reads the invitation"
else not_ok "check_invite.py: $FACTS"; fi
fact () { printf '%s\n' "$FACTS" | sed -n "s/^$1=//p" | head -1; }
check "invitation: the receiving pod organises, both leads and both partners attend ($(fact attendees))" \
    [ "$(fact organiser)|$(printf '%s' "$(fact attendees)" | tr ',' '\n' | sort | paste -sd,)" = "pod-south@pod-south.example|dev.sw@pod-north.example,head@brook-primary.example,nia.nurse@north-health.example,tara.sw@pod-south.example" ]
check "invitation: Handover visit at 10:00 London, Mill Lane" [ "$(fact summary)|$(fact dtstart_utc)|$(fact location)" = "Handover visit|2026-12-03T10:00:00Z|Family home, Mill Lane" ]
check "invitation: no case reference or name in it" [ "$(fact forbidden_found)" = none ]
OUT=$(pc root.admin --json audit --case NC-501)
check "the audit has the request and both approvals ($(jq_ '",".join(sorted(set(a["action"] for a in d["items"] if a["action"].startswith("case-transfer"))))'))" \
    [ "$(jq_ '",".join(sorted(set(a["action"] for a in d["items"] if a["action"].startswith("case-transfer"))))')" = "case-transfer-approve,case-transfer-done,case-transfer-request" ]
for who in alice.tm dev.sw tara.sw; do
    OUT=$(pc "$who" --json notices --kind case-transfer)
    check "$who was told it is done" texts_have "$NOTICES" "agreed by both team managers and done"
done

# --- The joint visit done: the old lead steps back ----------------------------------
pc tara.sw task accept "$VT" >/dev/null
OUT=$(pc sam.tm --json case show NC-501)
check "before the visit is done dev.sw is still a co-worker" [ "$(jq_ 'd["coworkers"]')" = "['dev.sw']" ]
expect_ok "tara.sw completes the joint visit" pc tara.sw task done "$VT" --evidence "Visited with dev.sw"
OUT=$(pc sam.tm --json case show NC-501)
check "dev.sw is no longer a co-worker" [ "$(jq_ 'd["coworkers"]')" = "[]" ]
check "the chronology records it" texts_have "$CHRONO" "dev.sw, the lead before transfer $X, is no longer a co-worker"
expect_err "dev.sw no longer sees the case" 403 pc dev.sw case show NC-501
OUT=$(pc sam.tm --json case transfers --status done)
check "the transfer records when the old lead stepped back" [ "$(jq_ 'd["items"][0]["old_lead_released"] is not None')" = True ]

# --- Refused: nothing moves ----------------------------------------------------------
pc alice.tm case open NC-502 --kind child --lead erin.sw >/dev/null
OUT=$(pc sam.tm --json case transfer NC-502 --to-pod south --lead umar.sw --visit 2026-12-04T14:00); R=$(jget id)
check "sam.tm asks to take NC-502 (the receiving side's consent)" [ "$(jq_ 'd["receiving_consent"]["by"], d["sending_consent"]')" = "('sam.tm', None)" ]
expect_err "the sending manager may not choose the new lead (403)" 403 pc alice.tm case transfer-approve "$R" --lead tara.sw
expect_err "refusing needs a reason (422)" 422 pc alice.tm case transfer-refuse "$R" --reason ""
expect_out "alice.tm refuses it" "refused_by: +alice.tm, .*Court hearing" pc alice.tm case transfer-refuse "$R" --reason "Court hearing next week: stays with erin.sw"
check "NC-502 is still north's, led by erin.sw" [ "$(pc alice.tm --json case show NC-502 | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["pod"], d["lead"])')" = "north erin.sw" ]
expect_err "approving a refused transfer is 409" 409 pc alice.tm case transfer-approve "$R"
expect_err "refusing it again is 409" 409 pc sam.tm case transfer-refuse "$R" --reason "again"
OUT=$(pc sam.tm --json notices --kind case-transfer)
check "sam.tm was told of the refusal" texts_have "$NOTICES" "refused by alice.tm"
OUT=$(pc alice.tm --json audit --case NC-502)
check "the refusal is audited" [ "$(jq_ 'any(a["action"] == "case-transfer-refuse" for a in d["items"])')" = True ]

# --- Planted chronology gaps before the transfer -------------------------------------
pc alice.tm case open NC-503 --kind child --lead dev.sw >/dev/null
pc dev.sw case note NC-503 "Neighbour reports shouting" --kind concern >/dev/null
clock "2027-01-20T09:00:00Z"
OUT=$(pc alice.tm --json case transfer NC-503 --to-pod south --lead tara.sw --visit 2027-01-27T11:00); G=$(jget id)
check "the request shows the planted gaps: the concern without action, no contact for 50 days ($(jq_ '",".join(g["check"] for g in d["check"]["gaps"])'))" \
    [ "$(jq_ '",".join(sorted(g["check"] for g in d["check"]["gaps"]))')" = "concern-action,last-entry" ]
expect_err "with gaps, sam.tm's plain approval is 409 naming them" "409.*2 gap" pc sam.tm case transfer-approve "$G"
OUT=$(pc sam.tm --json case transfers)
check "the pending list shows the gaps too" [ "$(jq_ 'len(d["items"][0]["check"]["gaps"])')" = 2 ]
OUT=$(pc sam.tm --json case transfer-approve "$G" --ask)
ASK=$(jget check.task)
check "--ask: the transfer still waits, nothing agreed by south" [ "$(jq_ 'd["status"], d["receiving_consent"]')" = "('pending', None)" ]
OUT=$(pc sam.tm --json task show "$ASK" 2>/dev/null || pc alice.tm --json task show "$ASK")
check "... and dev.sw, the lead, has a task to complete the chronology, due before the visit ($(jget due))" \
    [ "$(jget assignee) $(jget due)" = "dev.sw 2027-01-26T17:00:00Z" ]
check "NC-503 has not moved" [ "$(pc alice.tm --json case show NC-503 | $PY -c 'import json,sys; print(json.load(sys.stdin)["pod"])')" = north ]
OUT=$(pc sam.tm --json case transfer-approve "$G" --record-gaps)
check "--record-gaps: done, the gaps on the record" [ "$(jq_ 'd["status"], d["check"]["recorded"]')" = "('done', True)" ]
OUT=$(pc sam.tm --json case show NC-503)
check "the chronology holds the recorded gaps" texts_have "$CHRONO" "before transfer $G: 2 gap\\(s\\) recorded"

# --- An administrator may act for either side, each consent recorded -----------------
pc alice.tm case open NC-504 --kind carer-household >/dev/null
OUT=$(pc root.admin --json case transfer NC-504 --to-pod south --visit 2027-01-28T10:00); A=$(jget id)
check "root.admin's request is the sending side's consent" [ "$(jq_ 'd["sending_consent"]["by"], d["receiving_consent"]')" = "('root.admin', None)" ]
expect_err "root.admin for the receiving side must name the lead" 422 pc root.admin case transfer-approve "$A"
OUT=$(pc root.admin --json case transfer-approve "$A" --lead umar.sw)
check "... then agrees for it: done, both consents by root.admin, no previous lead" \
    [ "$(jq_ 'd["status"], d["sending_consent"]["by"], d["receiving_consent"]["by"], d["new_lead"], d["old_lead"]')" = "('done', 'root.admin', 'root.admin', 'umar.sw', None)" ]

# --- E-mail: notices only ----------------------------------------------------------------
sleep 1
OUT=$(bodies)
check "transfer e-mails went out ($(printf '%s\n' "$OUT" | grep -c 'Case transfer'))" [ "$(printf '%s\n' "$OUT" | grep -c 'Case transfer')" -ge 6 ]
check "no e-mail body or subject carries a case reference or the child's name" \
    sh -c "! printf '%s\n' \"\$1\" | grep -Eq 'NC-50|Robin'" _ "$OUT"

finish
