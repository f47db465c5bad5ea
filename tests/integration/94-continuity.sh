# Continuity of relationships (issue 12, items 1-4), on a test clock with
# the real podd: contacts (task done, case note --kind contact) in the
# chronology and never back-dated before the case opened; lead and cover
# history answering past days; each continuity figure checked against a
# hand count of a small scripted month of four cases; routing and cover
# reasons naming the most recent contact; the leave-service plan; the
# weekly figures mail to the team manager with no case detail.
. "$(dirname "$0")/../lib.sh"

export PODD_CLOCK_FILE="$T/clock"
# the scheduler polls a test clock; written whole (rename), never seen empty
clock () { echo "$1" > "$PODD_CLOCK_FILE.new"; mv "$PODD_CLOCK_FILE.new" "$PODD_CLOCK_FILE"; sleep 0.6; }
echo "2026-11-02T09:00:00Z" > "$PODD_CLOCK_FILE"          # a Monday (GMT: London = UTC)

make_config
keygen alice.tm ben.sp dev.sw erin.sw femi.sw gwen.sw hana.saw ivan.supw dana.coord sam.tm
start_podd || { not_ok "podd starts"; exit 1; }
# q EXPR: evaluate a Python expression on the last --json output (as d)
q () { $PY -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$OUT" "$1"; }
is () { local desc=$1 want=$2 got; got=$(q "$3" 2>&1)
        if [ "$got" = "$want" ]; then ok "$desc: $want"; else not_ok "$desc: wanted $want, got $got"; fi; }
mails () { $PY - "$T/spool" <<'EOF'
import email, glob, sys
from email import policy
for f in sorted(glob.glob(sys.argv[1] + "/*.eml")):
    m = email.message_from_binary_file(open(f, "rb"), policy=policy.default)
    part = m.get_body(preferencelist=("plain",))
    body = part.get_content() if part else ""
    print("\t".join([str(m["To"]), str(m["Subject"]), body.replace("\n", " | ")]))
EOF
}

# --- The scripted month. A: dev.sw leads, erin.sw co-works; B: gwen.sw;
# C: no lead until 11-05, erin.sw co-works; D (from 11-19): dev.sw, femi.sw
pc alice.tm case open NC-401 --kind child --lead dev.sw --coworker erin.sw >/dev/null
pc alice.tm case open NC-402 --kind child --lead gwen.sw >/dev/null
pc alice.tm case open NC-403 --kind child --coworker erin.sw >/dev/null
pc alice.tm case event NC-402 --type child-placed --date 2026-11-02 >/dev/null

# Contacts cannot be back-dated before the case opened, nor be in the future
expect_err "a contact before the case opened is refused" "422.*before case 'NC-401' was opened" \
    pc dev.sw case note NC-401 "Visit" --kind contact --date 2026-11-01
expect_err "a contact in the future is refused" "422.*2026-11-03 is in the future" \
    pc dev.sw case note NC-401 "Visit" --kind contact --date 2026-11-03
expect_err "a contact with someone from another pod is refused" "422.*'sam.tm' is not a member of the case's pod" \
    pc dev.sw case note NC-401 "Visit" --kind contact --with sam.tm
expect_err "--with is for contacts only" "422.*only for a note of kind contact" \
    pc dev.sw case note NC-401 "Note" --with erin.sw

clock 2026-11-03T09:00:00Z
OUT=$(pc dev.sw --json case note NC-401 "Home visit, spoke with the children" --kind contact)
is "a contact note is a chronology entry of kind contact" contact 'd["kind"]'
is "attributed to who recorded it" dev.sw 'd["author"]'
is "naming who had contact" True '"dev.sw" in d["text"]'
OUT=$(pc alice.tm --json case show NC-401)
is "one contact in the chronology: the refused ones left nothing" 1 \
    'sum(1 for e in d["chronology"] if e["kind"] == "contact")'

clock 2026-11-04T09:00:00Z
OUT=$(pc gwen.sw --json task list --case NC-402)
V1=$(q '[t["id"] for t in d["items"] if t.get("standard") == "cic-visit-first"][0]')
pc gwen.sw task accept "$V1" >/dev/null
expect_err "a visit done before the case opened is refused" "422.*\(before case 'NC-402' was opened\|is before 2026-11-02\)" \
    pc gwen.sw task done "$V1" --evidence "Visited" --date 2026-11-01
pc gwen.sw task done "$V1" --evidence "Visited" --date 2026-11-04 >/dev/null
OUT=$(pc gwen.sw --json case show NC-402)
is "a visit done is a contact in the chronology" 1 \
    'sum(1 for e in d["chronology"] if e["text"].startswith("Contact with the family: gwen.sw: statutory-visit done"))'

clock 2026-11-05T09:00:00Z
pc femi.sw case note NC-401 "Called in after school" --kind contact >/dev/null
pc alice.tm case allocate NC-403 --lead ivan.supw >/dev/null

clock 2026-11-06T09:00:00Z
pc femi.sw case note NC-401 "Took the children to contact" --kind contact >/dev/null
pc gwen.sw case note NC-403 "Met the family at the school gate" --kind contact >/dev/null

clock 2026-11-09T09:00:00Z
pc dev.sw case note NC-401 "Joint visit: introduced erin.sw" --kind contact --with dev.sw --with erin.sw >/dev/null
# NC-403's lead (a support worker) may not do a statutory visit: the router
# prefers gwen.sw (contact on 11-06) to erin.sw (co-worker, no contact)
OUT=$(pc alice.tm --json task new NC-403 --kind statutory-visit --title "Visit")
V3=$(q 'd["id"]')
is "routing prefers the colleague with the most recent contact" gwen.sw 'd["assignee"]'
OUT=$(pc alice.tm --json task show "$V3")
is "and the reason says so" True \
    '"most recent contact with the family 2026-11-06" in d["history"][-1]["reason"]'
pc gwen.sw task accept "$V3" >/dev/null
pc gwen.sw task done "$V3" --evidence "Visited" >/dev/null

clock 2026-11-10T09:00:00Z
pc alice.tm case allocate NC-401 --lead erin.sw >/dev/null

clock 2026-11-11T09:00:00Z
OUT=$(pc gwen.sw --json task list --case NC-402)
V2=$(q '[t["id"] for t in d["items"] if t.get("standard") == "cic-visit" and t["state"] in ("offered","accepted")][0]')
pc gwen.sw task handoff "$V2" --to dev.sw >/dev/null
pc dev.sw task accept "$V2" >/dev/null
pc dev.sw task done "$V2" --evidence "Visited" --date 2026-11-11 >/dev/null

clock 2026-11-12T09:00:00Z
pc erin.sw case note NC-401 "First visit as lead worker" --kind contact >/dev/null

# erin.sw falls sick from 11-16; the manager enters it on 11-18 (cover from then)
clock 2026-11-18T09:00:00Z
pc alice.tm leave request --member erin.sw --kind sickness --from 2026-11-16 --to 2026-11-19 >/dev/null
sleep 0.5
OUT=$(pc alice.tm --json case contact NC-401)
X=$(q 'd["contact"]')
OUT=$(pc alice.tm --json cover plan erin.sw --from 2026-11-23 --to 2026-11-27)
is "a cover plan's reason names the most recent contact" True \
    '"most recent contact 2026-11-09" in [l for l in d["lines"] if l["case"] == "NC-401"][0]["reason"]'

clock 2026-11-19T09:00:00Z
Y=gwen.sw; [ "$X" = gwen.sw ] && Y=femi.sw
pc alice.tm case open NC-404 --kind child --lead dev.sw --coworker femi.sw >/dev/null
pc alice.tm cover set NC-401 --by "$Y" >/dev/null

# Past days are answered from the history, not from today's lines
OUT=$(pc dev.sw --json case contact NC-401 --date 2026-11-04)
is "contact on 11-04: the lead then, as lead worker" "dev.sw lead worker" 'd["contact"] + " " + d["reason"]'
OUT=$(pc dev.sw --json case contact NC-401 --date 2026-11-18)
is "contact on 11-18: the cover in place then" "$X" 'd["contact"]'
OUT=$(pc dev.sw --json case contact NC-401 --date 2026-11-17)
is "contact on 11-17: no cover was in place yet" True '"no cover" in d["reason"]'

clock 2026-11-20T09:00:00Z
pc erin.sw case note NC-404 "Met the family" --kind contact >/dev/null

# --- The figures, 2026-11-02 to 2026-11-29, against the hand count
clock 2026-11-30T09:00:00Z
OUT=$(pc dev.sw --json continuity --from 2026-11-02 --to 2026-11-29)
is "period" "2026-11-02 2026-11-29" 'd["from"] + " " + d["to"]'
is "cases in the pod's report" "NC-401 NC-402 NC-403 NC-404" '" ".join(c["ref"] for c in d["cases"])'
c () { echo "[c for c in d[\"cases\"] if c[\"ref\"] == \"$1\"][0]"; }
A=$(c NC-401); B=$(c NC-402); C=$(c NC-403); D=$(c NC-404)
# NC-401: dev 11-03 (lead), femi 11-05 (stranger), femi 11-06 (seen before),
# dev+erin 11-09 (lead, co-worker), erin 11-12 (lead): 6 contacts, 5 known
is "NC-401 days open in the period" 28 "$A[\"days\"]"
is "NC-401 contacts" 6 "$A[\"contacts\"]"
is "NC-401 distinct workers with contact" "3 ['dev.sw', 'erin.sw', 'femi.sw']" \
    "str($A[\"workers\"]) + ' ' + str(sorted($A[\"worker_list\"]))"
is "NC-401 known contacts" 5 "$A[\"known_contacts\"]"
is "NC-401 known-worker rate 5/6" 0.833 "$A[\"known_rate\"]"
is "NC-401 distinct leads" 2 "$A[\"leads\"]"
is "NC-401 changes of lead" 1 "$A[\"lead_changes\"]"
is "NC-401 change: dev.sw to erin.sw on 11-10, set by alice.tm" "2026-11-10 dev.sw erin.sw alice.tm" \
    "' '.join($A[\"changes\"][0][k] for k in ('date','from','to','set_by'))"
is "NC-401 handover visit with old and new lead" True "$A[\"changes\"][0][\"handover_visit\"]"
is "NC-401 days from the change to the new lead's first contact" 2 \
    "$A[\"changes\"][0][\"days_to_first_contact\"]"
# erin.sw away 11-16..11-19, cover in place from 11-18 09:00: 11-16, 11-17
is "NC-401 uncovered days" 2 "$A[\"uncovered_days\"]"
is "NC-401 days with no lead" 0 "$A[\"no_lead_days\"]"
# NC-402: gwen 11-04 (lead; a standards visit), dev 11-11 (stranger; a standards visit)
is "NC-402 contacts and workers" "2 2" "'%d %d' % ($B[\"contacts\"], $B[\"workers\"])"
is "NC-402 standards tasks done, by someone known" "2 1" \
    "'%d %d' % ($B[\"standards_tasks\"], $B[\"known_standards\"])"
is "NC-402 known-worker rate (1+1)/(2+2)" 0.5 "$B[\"known_rate\"]"
is "NC-402 one lead, no change, no uncovered day" "1 0 0 0" \
    "'%d %d %d %d' % ($B[\"leads\"], $B[\"lead_changes\"], $B[\"uncovered_days\"], $B[\"no_lead_days\"])"
# NC-403: no lead 11-02..11-04; gwen 11-06 (stranger), gwen 11-09 (seen before)
is "NC-403 days with no lead" 3 "$C[\"no_lead_days\"]"
is "NC-403 first allocation is no change of lead" "1 0" "'%d %d' % ($C[\"leads\"], $C[\"lead_changes\"])"
is "NC-403 contacts, known, workers" "2 1 1" \
    "'%d %d %d' % ($C[\"contacts\"], $C[\"known_contacts\"], $C[\"workers\"])"
# NC-404: open 11-19..11-29; erin 11-20 (a stranger to it)
is "NC-404 days, contacts, known rate" "11 1 0.0" \
    "'%d %d %s' % ($D[\"days\"], $D[\"contacts\"], $D[\"known_rate\"])"
# The pod's distribution over the four cases (worst tenth: the 1 worst)
is "workers: median of 1,1,2,3 and the worst" "1.5 3 ['NC-401']" \
    "'%s %s %s' % (d['distribution']['workers']['median'], d['distribution']['workers']['worst_tenth'], d['distribution']['workers']['worst_cases'])"
is "known rate: median of 0,0.5,0.5,0.833 and the worst" "0.5 0 ['NC-404']" \
    "'%s %s %s' % (d['distribution']['known_rate']['median'], d['distribution']['known_rate']['worst_tenth'], d['distribution']['known_rate']['worst_cases'])"
is "uncovered days: median and the worst" "0 2 ['NC-401']" \
    "'%s %s %s' % (d['distribution']['uncovered_days']['median'], d['distribution']['uncovered_days']['worst_tenth'], d['distribution']['uncovered_days']['worst_cases'])"
is "no-lead days: the worst" "3 ['NC-403']" \
    "'%s %s' % (d['distribution']['no_lead_days']['worst_tenth'], d['distribution']['no_lead_days']['worst_cases'])"
is "days to first contact: one case with a change" "1 2" \
    "'%s %s' % (d['distribution']['days_to_first_contact']['cases'], d['distribution']['days_to_first_contact']['median'])"
# Per member: dev.sw led NC-401 and NC-404, contacts 11-03, 11-09 (known), 11-11 (not)
m () { echo "[m for m in d[\"members\"] if m[\"member\"] == \"$1\"][0]"; }
is "dev.sw: led, contacted, contacts, known, handed on" "2 2 3 2 1" \
    "'%d %d %d %d %d' % tuple($(m dev.sw)[k] for k in ('cases_led','cases_contacted','contacts','known_contacts','handed_on'))"
is "erin.sw: became lead once, known rate 2/3" "1 0.667" \
    "'%d %s' % ($(m erin.sw)['became_lead'], $(m erin.sw)['known_rate'])"
is "gwen.sw: contacts 3, known 2" "3 2" "'%d %d' % ($(m gwen.sw)['contacts'], $(m gwen.sw)['known_contacts'])"

OUT=$(pc dev.sw --json continuity --case NC-401 --from 2026-11-02 --to 2026-11-29)
is "--case: one case" NC-401 '" ".join(c["ref"] for c in d["cases"])'
OUT=$(pc dev.sw --json continuity --member femi.sw --from 2026-11-02 --to 2026-11-29)
is "--member: the cases femi.sw knows" "NC-401 NC-404" '" ".join(c["ref"] for c in d["cases"])'
is "--member: femi.sw's figures only" "femi.sw 2 1" \
    '"%s %d %d" % (d["members"][0]["member"], d["members"][0]["contacts"], d["members"][0]["known_contacts"])'
expect_out "csv: a row per case" "^NC-401,erin.sw,28,6,3,2,1,5,0,0,0.833,2,0,1,2$" \
    pc dev.sw continuity --from 2026-11-02 --to 2026-11-29 --csv
expect_out "the table names the worst cases" "known_rate .*NC-404" \
    pc dev.sw continuity --from 2026-11-02 --to 2026-11-29
expect_err "another pod's figures are refused" 403 pc sam.tm continuity --pod north
expect_err "a period ending before it starts is refused" 422 \
    pc dev.sw continuity --from 2026-11-29 --to 2026-11-02
expect_err "an unknown case is 404" 404 pc dev.sw continuity --case NC-999

# --- The weekly mail: Monday from the reminder hour, figures only
for _ in $(seq 1 50); do [ "$(mails | grep -c "continuity figures, week of 2026-11-30")" -gt 0 ] && break; sleep 0.2; done
WEEKLY=$(mails | grep "continuity figures, week of 2026-11-30")
check "the team manager gets the weekly continuity figures" \
    test "$(printf '%s\n' "$WEEKLY" | grep -c 'alice.tm@')" -eq 1
check "with the pod's medians and worst tenths" grep -q "worst tenth" <<< "$WEEKLY"
check "and no case reference in the mail" test -n "$WEEKLY" -a -z "$(printf '%s\n' "$WEEKLY" | grep 'NC-')"
sleep 0.5
check "once a week" test "$(mails | grep -c 'alice.tm@.*continuity figures, week of 2026-11-30')" -eq 1

# --- dev.sw leaves the service: NC-404 goes to erin.sw (contact 11-20)
# rather than femi.sw (co-worker, no contact); a handover visit each
expect_err "only the manager plans it" 403 pc ben.sp member leave-service dev.sw --from 2026-12-14
OUT=$(pc alice.tm --json member leave-service dev.sw --from 2026-12-14)
PLAN=$OUT; ACCEPTED=$(q 'd["accepted"]')
OUT=$(pc alice.tm --json case show NC-404)
check "a proposal stores nothing: NC-404 still led by dev.sw" test "$ACCEPTED $(q 'd["lead"]')" = "False dev.sw"
OUT=$PLAN
is "NC-404 goes to whoever knows the family best" erin.sw \
    '[l for l in d["lines"] if l["case"] == "NC-404"][0]["lead"]'
is "the reason names the most recent contact" True \
    '"most recent contact 2026-11-20" in [l for l in d["lines"] if l["case"] == "NC-404"][0]["reason"]'
OUT=$(pc alice.tm --json member leave-service dev.sw --from 2026-12-14 --accept)
H=$(q '[l for l in d["lines"] if l["case"] == "NC-404"][0]["handover_task"]')
OUT=$(pc alice.tm --json case show NC-404)
is "accepted: erin.sw leads NC-404" erin.sw 'd["lead"]'
is "dev.sw stays a co-worker until he goes" True '"dev.sw" in d["coworkers"]'
OUT=$(pc alice.tm --json task show "$H")
is "a handover visit task for the new lead" "handover-visit erin.sw" 'd["kind"] + " " + d["assignee"]'
is "due on dev.sw's last day" True 'd["due"].startswith("2026-12-11T17:00")'
OUT=$(pc erin.sw --json continuity --case NC-404 --from 2026-11-30 --to 2026-11-30)
is "the change is in the lead history, set by the manager" "dev.sw erin.sw alice.tm" \
    '" ".join(d["cases"][0]["changes"][0][k] for k in ("from","to","set_by"))'

finish
