# The handover pack (issue 15, item 1), on a test clock with the real
# podd: built when leave is approved and again two working days before it
# starts; per case the member leads: open tasks and due dates, the next
# statutory visit and meetings, partners, recent concerns, the last
# contact and by whom, who covers it, and the member's note; each cover
# gets only the pages of the cases they cover, in their client; the
# manager sees which cases have no note; e-mail carries only a notice.
. "$(dirname "$0")/../lib.sh"

export PODD_CLOCK_FILE="$T/clock"
clock () { echo "$1" > "$PODD_CLOCK_FILE"; sleep 0.6; }   # the scheduler polls a test clock
echo "2026-12-01T09:00:00Z" > "$PODD_CLOCK_FILE"

make_config
keygen alice.tm ben.sp dev.sw erin.sw femi.sw gwen.sw sam.tm
start_podd || { not_ok "podd starts"; exit 1; }
jget () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k] if not k.isdigit() else d[int(k)]
print(d)' "$OUT" "$1"; }
# mails: "FILE<TAB>TO<TAB>SUBJECT<TAB>BODY" per spooled mail (body decoded, one line)
mails () { $PY - "$T/spool" <<'EOF'
import email, glob, sys
from email import policy
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_binary_file(open(f, "rb"), policy=policy.default)
    part = m.get_body(preferencelist=("plain",))
    body = part.get_content() if part else ""
    print("\t".join([f, str(m["To"]), str(m["Subject"]), body.replace("\n", " | ")]))
EOF
}
# pages JSON: the case refs of a pack's pages, space-separated
pages () { $PY -c 'import json,sys; print(" ".join(p["case"] for p in json.loads(sys.argv[1])["pages"]))' "$1"; }

# dev.sw leads three families
pc alice.tm case open NC-301 --kind child --lead dev.sw --coworker erin.sw >/dev/null
pc alice.tm case open NC-302 --kind child --lead dev.sw --coworker femi.sw >/dev/null
pc alice.tm case open NC-303 --kind child --lead dev.sw --coworker ben.sp >/dev/null
pc alice.tm case open NC-304 --kind child --lead ben.sp >/dev/null
# for the chronology check at the end
pc alice.tm case open NC-306 --kind child --lead erin.sw >/dev/null
pc alice.tm case open NC-307 --kind child --lead erin.sw >/dev/null
pc alice.tm case event NC-306 --type child-placed --date 2026-12-01 >/dev/null
pc alice.tm partner add --agency "Brook Primary" --agency-kind school --name "Pat Head" \
    --email head@brook-primary.example >/dev/null
pc alice.tm partner link NC-301 head@brook-primary.example >/dev/null
pc erin.sw case note NC-301 "Bruise on arm noticed at school" --kind concern --date 2026-11-27 >/dev/null
pc femi.sw case note NC-302 "Home visit, all well" --date 2026-11-30 >/dev/null
OUT=$(pc alice.tm --json task new NC-301 --kind statutory-visit --title "Visit at home" --due 2026-12-16); VISIT=$(jget id)
OUT=$(pc alice.tm --json task new NC-301 --kind pod-meeting --title "POD with school" --due 2026-12-17); POD=$(jget id)
pc dev.sw meeting schedule "$POD" --start 2026-12-17T10:00 --end 2026-12-17T11:00 --location "Brook Primary" >/dev/null

# Leave for 14-18 December, cover set on two cases before it is approved
OUT=$(pc dev.sw --json leave request --kind annual --from 2026-12-14 --to 2026-12-18); L=$(jget id)
expect_ok "cover for NC-301: erin.sw" pc alice.tm cover set NC-301 --by erin.sw --absence "$L"
expect_ok "cover for NC-302: femi.sw" pc alice.tm cover set NC-302 --by femi.sw --absence "$L"
expect_err "a note needs text" 422 pc dev.sw handover note NC-301 ""
expect_err "only the lead or the manager writes a note" 403 pc ben.sp handover note NC-301 "Not mine"
expect_err "a note on an unknown case is 404" 404 pc dev.sw handover note NC-999 "Nothing"
expect_err "a note for a lead with no leave coming is 409" 409 pc alice.tm handover note NC-304 "Nothing"
expect_out "dev.sw writes the note for NC-301" "note for NC-301" \
    pc dev.sw handover note NC-301 "Mum prefers calls after 3pm; school knows of the bruise"

# Approval builds the pack and delivers it: each cover their own pages
watch_bg erin.sw "$T/erin-watch.out" --count 50
sleep 0.5
pc alice.tm leave approve "$L" >/dev/null
sleep 0.5
kill "$W" 2>/dev/null; wait "$W" 2>/dev/null
check "erin.sw's client was given the handover pack" grep -q "notice handover: Handover pack: you cover 1 case(s) for dev.sw" "$T/erin-watch.out"
OUT=$(pc erin.sw --json notices --kind handover)
ERIN=$($PY -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["items"][0]["data"]))' "$OUT")
check "erin.sw's pack holds only NC-301 ($(pages "$ERIN"))" [ "$(pages "$ERIN")" = NC-301 ]
check "its page carries the note, the open tasks, next visit, meeting, partner, concern, last contact" $PY -c '
import json,sys; p=json.loads(sys.argv[1])["pages"][0]; v=int(sys.argv[2])
ok = ("3pm" in p["note"]["text"] and p["note"]["by"] == "dev.sw"
      and any(t["id"] == v and t["due"] == "2026-12-16T17:00:00Z" for t in p["tasks"])
      and p["next_visit"]["task"] == v and len(p["meetings"]) == 1 and p["meetings"][0]["location"] == "Brook Primary"
      and p["partners"][0]["email"] == "head@brook-primary.example"
      and any("Bruise" in c["text"] and c["kind"] == "concern" for c in p["concerns"])
      and p["last_contact"]["by"] == "erin.sw" and p["cover"] == "erin.sw")
sys.exit(0 if ok else 1)' "$ERIN" "$VISIT"
OUT=$(pc femi.sw --json notices --kind handover)
FEMI=$($PY -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["items"][0]["data"]))' "$OUT")
check "femi.sw's pack holds only NC-302, with no note ($(pages "$FEMI"))" \
    $PY -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if [p["case"] for p in d["pages"]] == ["NC-302"] and d["pages"][0]["note"] is None else 1)' "$FEMI"
OUT=$(pc ben.sp --json notices --kind handover)
check "ben.sp, who covers nothing, got no pack" [ "$($PY -c 'import json,sys; print(len(json.loads(sys.argv[1])["items"]))' "$OUT")" = 0 ]
OUT=$(pc alice.tm --json notices --kind handover-notes)
check "the manager is told which cases have no note (NC-302 NC-303)" \
    $PY -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["items"][0]["data"]["no_note"] == ["NC-302","NC-303"] else 1)' "$OUT"

# podctl handover: whole pack for the member and the manager, own pages for a cover
OUT=$(pc alice.tm --json handover --absence "$L")
check "the manager sees every page ($(pages "$OUT"))" [ "$(pages "$OUT")" = "NC-301 NC-302 NC-303" ]
check "... and the cases with no note" $PY -c 'import json,sys; sys.exit(0 if json.loads(sys.argv[1])["no_note"] == ["NC-302","NC-303"] else 1)' "$OUT"
expect_out "the manager's view prints the cases with no note" "no note yet: NC-302 NC-303" pc alice.tm handover --absence "$L"
OUT=$(pc dev.sw --json handover)
check "dev.sw's own coming leave is the default ($(jget absence))" [ "$(jget absence)" = "$L" ]
OUT=$(pc dev.sw --json handover --case NC-302)
check "--case gives one page" [ "$(pages "$OUT")" = NC-302 ]
OUT=$(pc erin.sw --json handover --absence "$L")
check "a cover sees only the cases they cover ($(pages "$OUT"))" [ "$(pages "$OUT")" = NC-301 ]
check "... and not which cases lack a note" $PY -c 'import json,sys; sys.exit(1 if "no_note" in json.loads(sys.argv[1]) else 0)' "$OUT"
expect_out "the page prints the note and the concern" "Mum prefers calls.*|Bruise" pc erin.sw handover --absence "$L"
expect_err "a colleague who covers nothing may not read it" 403 pc ben.sp handover --absence "$L"
expect_err "a cover may not read another cover's case" 403 pc erin.sw handover --absence "$L" --case NC-302
expect_err "another pod's manager may not read it" 403 pc sam.tm handover --absence "$L"
expect_err "a member with no leave coming must name one" 404 pc ben.sp handover
expect_err "an unknown absence is 404" 404 pc alice.tm handover --absence 9999

# E-mail: a notice only
OUT=$(mails)
check "erin.sw got an e-mail about the pack" sh -c "printf '%s\n' \"\$1\" | awk -F'\t' '\$2 ~ /erin.sw@/ && \$3 ~ /Handover pack/' | grep -q ." _ "$OUT"
check "no handover or cover e-mail carries a case reference or its detail" sh -c "! printf '%s\n' \"\$1\" | grep -E 'Handover|Cover' | grep -Eq 'NC-|Bruise|3pm|Brook'" _ "$OUT"

# The second build: two working days before the leave (Thursday 09:00)
pc dev.sw handover note NC-302 "Dad collects on Fridays" >/dev/null
OUT=$(pc alice.tm --json handover --absence "$L")
check "before the second build the last build is the approval's" [ "$(jget last_built)" = 2026-12-01T09:00:00Z ]
clock "2026-12-09T09:30:00Z"
OUT=$(pc alice.tm --json handover --absence "$L")
check "not built again on Wednesday" [ "$(jget last_built)" = 2026-12-01T09:00:00Z ]
clock "2026-12-10T09:00:30Z"
OUT=$(pc alice.tm --json handover --absence "$L")
check "built again on Thursday 09:00, two working days before Monday ($(jget last_built))" \
    [ "$(jget last_built)" = 2026-12-10T09:00:30Z ]
OUT=$(pc alice.tm --json notices --kind handover-notes)
check "the manager now sees only NC-303 without a note" \
    $PY -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["items"][0]["data"]["no_note"] == ["NC-303"] else 1)' "$OUT"
OUT=$(pc femi.sw --json notices --kind handover)
check "femi.sw's new pack carries the note" \
    $PY -c 'import json,sys; d=json.loads(sys.argv[1])["items"][0]["data"]; sys.exit(0 if d["pages"][0]["note"]["text"].startswith("Dad") else 1)' "$OUT"
OUT=$(pc ben.sp --json notices --kind handover)
check "still nothing for ben.sp" [ "$($PY -c 'import json,sys; print(len(json.loads(sys.argv[1])["items"]))' "$OUT")" = 0 ]

# --- Delegation: the delegator stays accountable and confirms (item 3)
OUT=$(pc alice.tm --json task new NC-304 --kind general --title "Send the forms" --due 2026-12-18); D1=$(jget id)
expect_err "only the holder delegates" 403 pc erin.sw task delegate "$D1" --to erin.sw
expect_err "delegating to another pod's member is refused" 422 pc ben.sp task delegate "$D1" --to sam.tm
OUT=$(pc ben.sp --json task delegate "$D1" --to erin.sw --reason "You know the school")
check "ben.sp delegated to erin.sw and stays the delegator" sh -c "[ '$(jget assignee)' = erin.sw ] && [ '$(jget delegator)' = ben.sp ]"
OUT=$(pc erin.sw --json task done "$D1" --evidence "Forms sent by post")
check "done by the delegate, it returns to ben.sp to confirm" \
    sh -c "[ '$(jget assignee)' = ben.sp ] && [ '$(jget state)' = offered ] && [ '$(jget awaiting_confirm)' = True ]"
expect_out "its history says so" "done-for-confirm.*done by erin.sw" pc alice.tm task show "$D1"
expect_err "the delegate cannot confirm" 403 pc erin.sw task confirm "$D1"
OUT=$(pc ben.sp --json task confirm "$D1")
check "the delegator confirms: done" [ "$(jget state)" = done ]
expect_err "confirming twice is 409" 409 pc ben.sp task confirm "$D1"
OUT=$(pc alice.tm --json task new NC-304 --kind general --title "Phone the GP" --due 2026-12-18); D2=$(jget id)
pc ben.sp task delegate "$D2" --to erin.sw >/dev/null
OUT=$(pc erin.sw --json task decline "$D2" --reason "On a course next week")
check "declined by the delegate, it goes back to the delegator, not elsewhere" [ "$(jget assignee)" = ben.sp ]

# --- Follow-up dates
OUT=$(pc alice.tm --json task new NC-304 --kind general --title "Ring the carer" --due 2026-12-31 --follow-up 2026-12-14); F1=$(jget id)
check "the follow-up is 08:00 London on that day ($(jget follow_up))" [ "$(jget follow_up)" = 2026-12-14T08:00:00Z ]
OUT=$(pc alice.tm --json task new NC-304 --kind general --title "Earlier one" --due 2026-12-20); F2=$(jget id)
first () { pc ben.sp --json task list --mine | $PY -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])'; }
check "before its follow-up day the task is in due order (first: $(first))" [ "$(first)" != "$F1" ]
clock "2026-12-14T08:00:30Z"
check "on its follow-up day it is at the top of the holder's list (first: $(first))" [ "$(first)" = "$F1" ]
expect_out "the holder got a follow-up notice" "follow-up.*task $F1" pc ben.sp notices --kind follow-up
OUT=$(pc ben.sp --json reminders "$F1")
check "and a reminder, recorded on the task" $PY -c 'import json,sys; sys.exit(0 if any(r["kind"]=="follow-up" for r in json.loads(sys.argv[1])["sent"]) else 1)' "$OUT"
OUT=$(mails)
check "in ben.sp's one reminder mail of the day" sh -c "printf '%s\n' \"\$1\" | awk -F'\t' '\$2 ~ /ben.sp@/ && \$3 ~ /reminders for 2026-12-14/' | grep -q 'task $F1 '" _ "$OUT"
expect_err "a follow-up date that cannot be read is 422" 422 pc ben.sp task follow-up "$F1" --on 2026-13-01
OUT=$(pc ben.sp --json task follow-up "$F1")
check "task follow-up without --on clears it" [ "$(jget follow_up)" = None ]

# --- Offers and swaps (item 2): asked by colleagues, decided by the manager
OUT=$(pc ben.sp --json leave request --kind annual --from 2027-01-11 --to 2027-01-15); BL=$(jget id)
pc alice.tm leave approve "$BL" >/dev/null
pc alice.tm case open NC-305 --kind child --lead ben.sp --coworker erin.sw >/dev/null
OUT=$(pc alice.tm --json task new NC-304 --kind general --title "Check the plan" --due 2027-01-12); BT4=$(jget id)
OUT=$(pc alice.tm --json task new NC-305 --kind general --title "Call the nursery" --due 2027-01-13); BT5=$(jget id)
pc alice.tm cover set NC-304 --by erin.sw --absence "$BL" >/dev/null
pc alice.tm cover set NC-305 --by femi.sw --absence "$BL" >/dev/null
expect_err "the absent member cannot offer to cover themselves" 422 pc ben.sp cover offer "$BL" NC-304
expect_err "an offer for a case the member does not lead is 404" 404 pc erin.sw cover offer "$BL" NC-301
expect_err "another pod cannot offer" 403 pc sam.tm cover offer "$BL" NC-305
OUT=$(pc dev.sw --json cover offer "$BL" NC-304 --note "I know this family")
OFFER=$(jget request)
expect_out "the manager is told of the offer" "cover-offer.*dev.sw offers to cover NC-304" pc alice.tm notices --kind cover-offer
expect_err "only the manager decides" 403 pc erin.sw cover approve "$OFFER"
OUT=$(pc alice.tm --json cover show "$BL")
LA=$($PY -c 'import json,sys; d=json.loads(sys.argv[1]); print([x["line"] for x in d["cover"] if x["case"]=="NC-304" and x["task"] is None][0])' "$OUT")
LB=$($PY -c 'import json,sys; d=json.loads(sys.argv[1]); print([x["line"] for x in d["cover"] if x["case"]=="NC-305" and x["task"] is None][0])' "$OUT")
expect_err "a swap by someone who covers neither line is 403" 403 pc gwen.sw cover swap "$LA" "$LB"
OUT=$(pc erin.sw --json cover swap "$LA" "$LB" --note "Femi knows the school")
SWAP=$(jget request)
expect_out "femi.sw is asked too" "cover-swap.*erin.sw and femi.sw ask to swap" pc femi.sw notices --kind cover-swap
expect_out "the plan shows who offered and who asked to swap" "offer .*NC-304.*dev.sw +open" pc alice.tm cover plan ben.sp --absence "$BL"
expect_ok "the manager refuses the offer" pc alice.tm cover refuse "$OFFER"
expect_err "deciding it twice is 409" 409 pc alice.tm cover approve "$OFFER"
expect_out "dev.sw is told" "cover-offer.*was refused by alice.tm" pc dev.sw notices --kind cover-offer
OUT=$(pc alice.tm --json cover approve "$SWAP")
check "the approved swap exchanged the lines, set by the manager" $PY -c 'import json,sys
d=json.loads(sys.argv[1]); c={x["case"]: x for x in d["cover"] if x["task"] is None}
r=[x for x in d["requests"] if x["kind"]=="swap"][0]
sys.exit(0 if c["NC-304"]["cover"]=="femi.sw" and c["NC-305"]["cover"]=="erin.sw" and c["NC-304"]["how"]=="swap"
         and c["NC-304"]["set_by"]=="alice.tm" and r["asked_by"]=="erin.sw" and r["decided_by"]=="alice.tm" else 1)' "$OUT"
clock "2027-01-11T08:00:00Z"
OUT=$(pc alice.tm --json task show "$BT4")
check "at the leave's start NC-304's work went to femi.sw, as swapped" [ "$(jget assignee)" = femi.sw ]
OUT=$(pc alice.tm --json task show "$BT5")
check "and NC-305's to erin.sw" [ "$(jget assignee)" = erin.sw ]
OUT=$(pc dev.sw --json cover offer "$BL" NC-305)
pc alice.tm cover approve "$(jget request)" >/dev/null
OUT=$(pc alice.tm --json cover show "$BL")
check "an approved offer makes the offerer the case's cover" $PY -c 'import json,sys
d=json.loads(sys.argv[1]); c=[x for x in d["cover"] if x["case"]=="NC-305" and x["task"] is None][0]
sys.exit(0 if c["cover"]=="dev.sw" and c["how"]=="offer" else 1)' "$OUT"

# --- The chronology check (item 5): planted gaps found, a complete case passes
PV=$(pc alice.tm --json task list --case NC-306 | $PY -c 'import json,sys; print([t["id"] for t in json.load(sys.stdin)["items"] if t["standard"]][0])')
pc erin.sw task accept "$PV" >/dev/null
pc erin.sw task done "$PV" --evidence "Visited the child" --date 2026-12-05 >/dev/null
pc erin.sw case note NC-306 "Phoned the carer" --date 2026-10-05 >/dev/null
pc erin.sw case note NC-306 "Home visit" --date 2026-12-10 >/dev/null
pc erin.sw case note NC-306 "School reports a bruise" --kind concern --date 2026-12-12 >/dev/null
OUT=$(pc alice.tm --json case check NC-306 --since 2026-10-01)
check "the check fails NC-306" [ "$(jget ok)" = False ]
check "it finds the standards visit with no entry that day" $PY -c 'import json,sys
g=json.loads(sys.argv[1])["gaps"]; sys.exit(0 if any(x["check"]=="standard-task" and "2026-12-05" in x["detail"] for x in g) else 1)' "$OUT"
check "the gap between contacts longer than the visiting frequency" $PY -c 'import json,sys
g=json.loads(sys.argv[1])["gaps"]; sys.exit(0 if any(x["check"]=="contact-gap" and "2026-10-05 to 2026-12-10" in x["detail"] for x in g) else 1)' "$OUT"
check "the concern with no action" $PY -c 'import json,sys
g=json.loads(sys.argv[1])["gaps"]; sys.exit(0 if any(x["check"]=="concern-action" and "bruise" in x["detail"] for x in g) else 1)' "$OUT"
pc erin.sw case note NC-307 "Home visit" --date 2026-12-01 >/dev/null
pc erin.sw case note NC-307 "Nursery says he is unsettled" --kind concern --date 2026-12-15 >/dev/null
pc erin.sw case note NC-307 "Spoke to nursery, plan agreed" --kind action --date 2026-12-16 >/dev/null
pc erin.sw case note NC-307 "Home visit" --date 2027-01-08 >/dev/null
OUT=$(pc erin.sw --json case check NC-307 --since 2026-12-01)
check "a complete case passes ($(jget gaps))" [ "$(jget ok)" = True ]
expect_out "case check prints what is missing" "concern-action" pc alice.tm case check NC-306 --since 2026-10-01
expect_err "only the manager asks or records" 403 pc erin.sw case check NC-306 --ask
expect_err "another pod may not check it" 403 pc sam.tm case check NC-306
expect_err "an unreadable since is 422" 422 pc alice.tm case check NC-306 --since 2026-13-01
OUT=$(pc alice.tm --json case check NC-306 --since 2026-10-01 --ask --due 2027-01-13)
CT=$(jget task)
OUT=$(pc alice.tm --json task show "$CT")
check "asked, the lead gets a task due before the handover" sh -c "[ '$(jget assignee)' = erin.sw ] && [ '$(jget due)' = 2027-01-13T17:00:00Z ]"
pc alice.tm case check NC-306 --since 2026-10-01 --record >/dev/null
expect_out "recorded, the gaps are in the chronology" "Chronology check by alice.tm: 3 gap" pc alice.tm case show NC-306

finish
