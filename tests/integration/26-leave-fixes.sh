# Leave and cover as people live them (issue 15, items 6 and 7), on a
# test clock: dates bound whole days in Europe/London everywhere and a
# plan for an absence takes its period; the plan keeps lines the manager
# set; covered work needs the cover's acceptance and the manager hears of
# what is not accepted before the return; re-cover when a covering
# colleague falls sick respects working patterns, prefers colleagues who
# know the family over the manager, keeps a family's work together and
# names who is away; the notices people need; state that does not lag;
# default due dates at the end of a working day; one reminder mail a day;
# case references unique whatever their case.
. "$(dirname "$0")/../lib.sh"

export PODD_CLOCK_FILE="$T/clock"
clock () { echo "$1" > "$PODD_CLOCK_FILE"; sleep 0.6; }   # the scheduler polls a test clock
echo "2026-12-01T09:00:00Z" > "$PODD_CLOCK_FILE"

make_config
keygen alice.tm ben.sp carla.sp dev.sw erin.sw femi.sw gwen.sw sam.tm
start_podd || { not_ok "podd starts"; exit 1; }
jget () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k] if not k.isdigit() else d[int(k)]
print(d)' "$OUT" "$1"; }
# mails DATE-REGEX: "FILE<TAB>TO<TAB>SUBJECT<TAB>BODY" per spooled mail (body decoded, one line)
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

# --- Item 7: case references are unique whatever their case
expect_ok "NC-1006 opens" pc alice.tm case open NC-1006 --kind child --lead erin.sw
expect_err "nc-1006 beside NC-1006 is refused (409)" 409 pc alice.tm case open nc-1006 --kind child
expect_err "Nc-1006 too" 409 pc alice.tm case open Nc-1006 --kind child

# --- Item 7: one reminder mail a day, listing everything due or overdue
pc alice.tm case open NC-210 --kind child --lead erin.sw >/dev/null
OUT=$(pc alice.tm --json task new NC-210 --kind general --title "First" --due 2026-12-02); R1=$(jget id)
OUT=$(pc alice.tm --json task new NC-210 --kind general --title "Second" --due 2026-12-02); R2=$(jget id)
clock "2026-12-02T17:00:30Z"     # both fall overdue at the same moment
clock "2026-12-03T08:00:30Z"     # overdue daily reminder
sleep 0.5
OUT=$(mails)
n2=$(printf '%s\n' "$OUT" | awk -F'\t' '$2 ~ /erin.sw@/ && $3 ~ /2026-12-02/' | wc -l)
n3=$(printf '%s\n' "$OUT" | awk -F'\t' '$2 ~ /erin.sw@/ && $3 ~ /2026-12-03/' | wc -l)
check "one reminder mail to erin.sw on 2 December, not one per task ($n2)" [ "$n2" -eq 1 ]
check "one reminder mail to erin.sw on 3 December ($n3)" [ "$n3" -eq 1 ]
check "the mail lists both tasks" sh -c "printf '%s\n' \"\$1\" | awk -F'\t' '\$2 ~ /erin.sw@/ && \$3 ~ /2026-12-03/' | grep -q 'task $R1 ' && printf '%s\n' \"\$1\" | awk -F'\t' '\$2 ~ /erin.sw@/ && \$3 ~ /2026-12-03/' | grep -q 'task $R2 '" _ "$OUT"
OUT=$(pc erin.sw --json reminders "$R1")
check "each task's reminders are still recorded" [ "$($PY -c 'import json,sys; print(len(json.loads(sys.argv[1])["sent"]))' "$OUT")" -ge 2 ]
pc alice.tm task cancel "$R1" >/dev/null; pc alice.tm task cancel "$R2" >/dev/null

# --- Item 7: default due dates land at the end of a working day
clock "2026-12-04T06:25:00Z"     # a Friday morning
OUT=$(pc alice.tm --json task new NC-210 --kind leave-cover --title "Due in 24 hours")
check "a 24-hour task made Friday 06:25 is due Monday 17:00, not Saturday 06:25 ($(jget due))" \
    [ "$(jget due)" = "2026-12-07T17:00:00Z" ]
pc alice.tm task cancel "$(jget id)" >/dev/null
OUT=$(pc alice.tm --json task kinds)
check "task kinds lists the kinds with their roles and default due" $PY -c 'import json,sys
d=json.loads(sys.argv[1]); k={i["kind"]: i for i in d["items"]}
sys.exit(0 if k["statutory-visit"]["due_hours"] == 120 and "social-worker" in k["statutory-visit"]["roles"] else 1)' "$OUT"

# --- dev.sw's leave: notices, whole days
pc alice.tm case open NC-201 --kind child --lead dev.sw --coworker femi.sw --coworker erin.sw >/dev/null
pc alice.tm case open NC-202 --kind child --lead dev.sw >/dev/null
# erin.sw, who knows NC-201, is on a course that week: femi.sw (no Wednesdays) is left
pc alice.tm leave request --member erin.sw --kind training --from 2026-12-07 --to 2026-12-11 >/dev/null
OUT=$(pc alice.tm --json task new NC-201 --kind statutory-visit --title "Wednesday visit" --due 2026-12-09); V=$(jget id)
OUT=$(pc alice.tm --json task new NC-201 --kind statutory-visit --title "Thursday visit" --due 2026-12-10); TW=$(jget id)
OUT=$(pc dev.sw --json leave request --kind annual --from 2026-12-07 --to 2026-12-18); L=$(jget id)
check "leave --from D starts at 00:00 London ($(jget from))" [ "$(jget from)" = "2026-12-07T00:00:00Z" ]
check "leave --to D takes the whole of D ($(jget to))" [ "$(jget to)" = "2026-12-19T00:00:00Z" ]
expect_out "the manager is told of the request" "leave-requested.*dev.sw asks" pc alice.tm notices
OUT=$(pc dev.sw --json leave request --kind training --from 2027-01-11 --to 2027-01-12); L2=$(jget id)
pc alice.tm leave refuse "$L2" --reason "Panel that day" >/dev/null
expect_out "the member is told of the refusal" "leave-refused.*refused by alice.tm" pc dev.sw notices
pc alice.tm leave approve "$L" >/dev/null
expect_out "the member is told of the approval" "leave-approved.*approved by alice.tm" pc dev.sw notices
OUT=$(pc alice.tm --json cover plan dev.sw --from 2026-12-07 --to 2026-12-18)
check "cover plan --from D starts at 00:00 too, like the leave ($(jget from))" [ "$(jget from)" = "2026-12-07T00:00:00Z" ]
check "... and ends with the leave ($(jget to))" [ "$(jget to)" = "2026-12-19T00:00:00Z" ]
OUT=$(pc alice.tm --json cover plan dev.sw --absence "$L")
check "a plan for an absence takes the absence's period" sh -c "[ '$(jget from)' = 2026-12-07T00:00:00Z ] && [ '$(jget to)' = 2026-12-19T00:00:00Z ]"
expect_err "a plan with both --absence and dates is 400" 400 pc alice.tm cover plan dev.sw --absence "$L" --from 2026-12-08 --to 2026-12-09
expect_err "a plan with neither is 400" 400 pc alice.tm cover plan dev.sw
expect_out "leave calendar for the leave's last day alone shows it" "dev.sw" pc alice.tm leave calendar --from 2026-12-18 --to 2026-12-18
expect_out "leave list shows the request and the refusal" "refused" pc alice.tm leave list --member dev.sw
expect_out "leave show shows one absence" "approved" pc dev.sw leave show "$L"

# --- The plan keeps a line the manager set
expect_ok "the manager sets gwen.sw on NC-201" pc alice.tm cover set NC-201 --by gwen.sw
expect_out "gwen.sw is told she covers it" "cover-assigned.*you cover 1 case" pc gwen.sw notices
expect_ok "... and on NC-202" pc alice.tm cover set NC-202 --by gwen.sw
pc alice.tm cover plan dev.sw --absence "$L" --accept >/dev/null
OUT=$(pc alice.tm --json cover show "$L")
check "cover plan --accept kept the line set with cover set" $PY -c 'import json,sys
d=json.loads(sys.argv[1]); l=[x for x in d["cover"] if x["case"]=="NC-201" and x["task"] is None]
sys.exit(0 if l and l[0]["cover"]=="gwen.sw" and l[0]["set_by"]=="alice.tm" else 1)' "$OUT"
expect_out "cover show prints the lines" "NC-201.*gwen.sw" pc alice.tm cover show "$L"

# --- The leave starts: the work goes to gwen.sw, who does not accept it
watch_bg gwen.sw "$T/gwen-watch.out" --count 5
sleep 0.5
clock "2026-12-07T08:00:00Z"
sleep 0.5
kill "$W" 2>/dev/null; wait "$W" 2>/dev/null
OUT=$(pc alice.tm --json task show "$V")
check "the visit went to gwen.sw, the family's cover" [ "$(jget assignee)" = gwen.sw ]
check "her client's task line shows the due date and priority" grep -q "task $V .*(due Wed 9 Dec 2026 17:00, urgent)" "$T/gwen-watch.out"
expect_out "leave calendar says who is away today" "away today \(2026-12-07\): dev.sw \(annual" pc alice.tm leave calendar
expect_out "member show says dev.sw is away" "away: +yes: annual leave to 2026-12-18" pc alice.tm member show dev.sw
expect_out "member show says ben.sp is not" "away: +no" pc alice.tm member show ben.sp
clock "2026-12-08T09:30:00Z"     # the morning after: the manager hears
OUT=$(pc alice.tm --json notices --kind cover-unaccepted)
check "the manager is told the covered work is not accepted" $PY -c 'import json,sys
d=json.loads(sys.argv[1]); ok=[n for n in d["items"] if any(i["task"]==int(sys.argv[2]) and not i["accepted"] for i in n["data"]["items"])]
sys.exit(0 if ok else 1)' "$OUT" "$V"

# --- gwen.sw falls sick on Wednesday: re-cover
clock "2026-12-09T08:00:00Z"
OUT=$(pc alice.tm --json leave request --member gwen.sw --kind sickness --to 2026-12-11); G=$(jget id)
check "sickness entered now answers started: true straight away" [ "$(jget started)" = True ]
OUT=$(pc alice.tm --json cover show "$L")
C=$($PY -c 'import json,sys; d=json.loads(sys.argv[1]); print([x for x in d["cover"] if x["case"]=="NC-201" and x["task"] is None][0]["cover"])' "$OUT")
check "NC-201 went to femi.sw, who knows the family ($C)" [ "$C" = femi.sw ]
C2=$($PY -c 'import json,sys; d=json.loads(sys.argv[1]); print([x for x in d["cover"] if x["case"]=="NC-202" and x["task"] is None][0]["cover"])' "$OUT")
check "NC-202, which nobody free knows, went to a colleague, not the team manager ($C2)" \
    sh -c "[ '$C2' != alice.tm ] && [ '$C2' != gwen.sw ] && [ '$C2' != erin.sw ] && [ -n '$C2' ]"
OUT=$(pc alice.tm --json task show "$V")
VA=$(jget assignee)
check "the visit due today did not go to femi.sw, who does not work Wednesdays, nor to the manager ($VA)" \
    sh -c "[ '$VA' != femi.sw ] && [ '$VA' != alice.tm ] && [ '$VA' != gwen.sw ] && [ '$VA' != erin.sw ] && [ -n '$VA' ]"
check "its reason names who is away" $PY -c 'import json,sys
d=json.loads(sys.argv[1]); r=d["history"][-1]["reason"]
sys.exit(0 if "dev.sw (lead) away" in r and "gwen.sw" in r and "away" in r else 1)' "$(pc alice.tm --json task show "$V")"
OUT=$(pc alice.tm --json task show "$TW")
check "the Thursday visit stays with the family's new cover ($C)" [ "$(jget assignee)" = "$C" ]

# --- A declined task: the manager hears
pc "$C" task decline "$TW" --reason "Court all day" >/dev/null
expect_out "the manager is told of the decline" "task-declined.*$C declined task $TW" pc alice.tm notices --kind task-declined

# --- gwen.sw is back on Friday: her return happens at once
clock "2026-12-11T08:00:00Z"
OUT=$(pc alice.tm --json leave end "$G")
check "leave end answers ended: true straight away" [ "$(jget ended)" = True ]

# --- Return: unaccepted work comes back, never silently
clock "2026-12-19T08:00:00Z"
OUT=$(pc alice.tm --json task show "$V")
check "the visit nobody accepted came back to dev.sw" [ "$(jget assignee)" = dev.sw ]
check "with a reason saying it was not accepted and the manager was told" $PY -c 'import json,sys
d=json.loads(sys.argv[1]); r=d["history"][-1]["reason"]
sys.exit(0 if "back from leave" in r and "the team manager was told" in r else 1)' "$OUT"
check "the manager was told at the return as well" $PY -c 'import json,sys
d=json.loads(sys.argv[1]); sys.exit(0 if any(n["data"].get("returned") for n in d["items"]) else 1)' \
    "$(pc alice.tm --json notices --kind cover-unaccepted)"
# Escalation three working days later names who held it when it fell overdue
HELD=$($PY -c 'import json,sys
d=json.loads(sys.argv[1]); h=[x for x in d["history"] if x["at"] <= "2026-12-09T17:00:00Z" and x["assignee"]]
print(h[-1]["assignee"])' "$(pc alice.tm --json task show "$V")")
clock "2026-12-21T08:00:30Z"
sleep 0.5
OUT=$(mails)
check "the manager's escalation names $HELD, who held it when it fell overdue" sh -c "printf '%s\n' \"\$1\" | awk -F'\t' '\$2 ~ /alice.tm@/ && \$3 ~ /2026-12-21/' | grep -q 'task $V .*held by $HELD when it fell overdue, now dev.sw'" _ "$OUT"
check "no reminder, notice or digest mail carries a case reference" sh -c "! printf '%s\n' \"\$1\" | grep -q 'NC-'" _ "$OUT"
n=$(printf '%s\n' "$OUT" | awk -F'\t' '$2 ~ /dev.sw@/ && $3 ~ /reminders for 2026-12-21/' | wc -l)
check "dev.sw got one reminder mail that day ($n)" [ "$n" -eq 1 ]

finish
