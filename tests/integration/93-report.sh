# A compliance report that hides nothing, on a test clock with the real
# podd and podctl (pod south): cancelling a standard's task needs a reason
# and says that its chain stops, and the report names who cancelled it and
# why; the team manager may reschedule instead and the chain goes on; a
# task declined by everyone, or that nobody was free to take, is counted
# as held by nobody and still overdue, and `task list --overdue` shows it;
# what is overdue now is counted whatever the period; the table shows
# titles; a task made by hand can carry a standard (--standard) and count,
# and one of a statutory kind without it is listed apart.
. "$(dirname "$0")/../lib.sh"
CLIENT="$ROOT/tests/podp_client.py"

export PODD_CLOCK_FILE="$T/clock"
clock () { echo "$1" > "$PODD_CLOCK_FILE.tmp" && mv "$PODD_CLOCK_FILE.tmp" "$PODD_CLOCK_FILE"; }
clock "2027-01-04T09:00:00Z"        # a Monday, GMT

make_config
keygen sam.tm tara.sw umar.sw vic.supw alice.tm root.admin
start_podd || { not_ok "podd starts"; exit 1; }
jget () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k] if not k.isdigit() else d[int(k)]
print(d)' "$OUT" "$1"; }
created_id () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
print(" ".join(str(t["id"]) for t in d["created"] if t["standard"] == sys.argv[2]) or "none")' "$OUT" "$1"; }
# row STANDARD FIELD: a count of the report in $OUT ("none" when no row)
row () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
r=[x for x in d["standards"] if x["standard"] == sys.argv[2]]
print(r[0][sys.argv[3]] if r else "none")' "$OUT" "$1" "$2"; }
# listed KEY TASK [FIELD]: a task of a report list, or one field of it
listed () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
r=[x for x in d.get(sys.argv[2], []) if x["task"] == int(sys.argv[3])]
print("none" if not r else json.dumps(r[0]) if len(sys.argv) < 5 else r[0][sys.argv[4]])' "$OUT" "$@"; }
raw () { local who=$1; shift; "$PY" "$CLIENT" -e "$EP" -k "$T/keys/$who.cert" -s "$T/keys/podd.cert" -t 5 "$@"; }
tasks () { sqlite3 "$T/podd.db" "SELECT COUNT(*) FROM tasks"; }

pc sam.tm case open SR-C1 --kind carer-household --lead tara.sw >/dev/null
pc sam.tm case open SR-K1 --kind child --lead umar.sw >/dev/null
pc sam.tm case open SR-K2 --kind child --lead tara.sw >/dev/null
pc sam.tm case open SR-K3 --kind child --lead umar.sw >/dev/null

# --------------------------------------------------------------------
# 1. Cancelling a recurring standard's task
OUT=$(pc sam.tm --json case event SR-C1 --type carer-approved --date 2027-01-04)
REVIEW=$(created_id carer-annual-review)
expect_err "cancelling a recurring standard's task without a reason is 422" 422 pc sam.tm task cancel "$REVIEW"
check "... naming what to do instead" sh -c "printf '%s' \"\$0\" | grep -q 'reschedule'" "$OUT"
OUT=$(pc sam.tm --json task show "$REVIEW")
check "... and the task is still live ($(jget state))" [ "$(jget state)" = offered ]
TEXT=$(pc sam.tm task cancel "$REVIEW" --reason "Carers moved to another agency")
OUT=$(pc sam.tm --json task show "$REVIEW")
check "with a reason it is cancelled ($(jget state)) and the reply says the chain stops" \
    sh -c "[ '$(jget state)' = cancelled ] && printf '%s' \"\$0\" | grep -q 'chain_stops: *yes' && printf '%s' \"\$0\" | grep -q 'chain of standard carer-annual-review stops here'" "$TEXT"
expect_out "the cancellation is in the case's chronology, with who and why" \
    "cancelled by sam.tm: Carers moved to another agency" pc sam.tm case show SR-C1

# --------------------------------------------------------------------
# 2. Rescheduling instead: the chain goes on
OUT=$(pc sam.tm --json case event SR-K1 --type conference-held --date 2027-01-04)
CPV=$(created_id cp-visit)
OUT=$(pc sam.tm --json task show "$CPV")
CPV_DUE=$(jget due); CPV_HOLDER=$(jget assignee)
expect_err "a social worker may not reschedule" 403 pc tara.sw task reschedule "$CPV" --due 2027-01-25 --reason "Child in hospital"
expect_err "a due date that cannot be read is 422" 422 pc sam.tm task reschedule "$CPV" --due 2027-02-30 --reason "Child in hospital"
STATUS=$(raw sam.tm request TASK-RESCHEDULE "{\"task\": $CPV, \"due\": \"2027-01-25\", \"reason\": \"\"}" | $PY -c 'import json,sys; print(json.load(sys.stdin)["status"])')
OUT=$(pc sam.tm --json task show "$CPV")
check "an empty reason is 422 ($STATUS) and the due date is unchanged ($(jget due))" [ "$STATUS" = 422 -a "$(jget due)" = "$CPV_DUE" ]
OUT=$(pc sam.tm --json task reschedule "$CPV" --due 2027-01-25 --reason "Child in hospital this week")
check "the team manager reschedules: due 25 January 17:00 ($(jget due)), still live ($(jget state))" \
    [ "$(jget due)" = 2027-01-25T17:00:00Z -a "$(jget state)" = offered ]
expect_out "the history says rescheduled, with the old date and the reason" \
    "rescheduled.*was 2027-01-18T17:00:00Z: Child in hospital" pc sam.tm task show "$CPV"
clock "2027-01-22T09:00:00Z"
OUT=$(pc "$CPV_HOLDER" --json task done "$CPV" --evidence "Seen at home" --date 2027-01-22)
ON_TIME=$(jget on_time)
OUT=$(pc sam.tm --json task list --case SR-K1)
NEXT=$($PY -c 'import json,sys; print(" ".join(t["due"] for t in json.loads(sys.argv[1])["items"] if t["standard"] == "cp-visit" and t["state"] != "done"))' "$OUT")
check "the rescheduled visit done on 22 January is on time ($ON_TIME) and re-arms the chain: next due 5 February ($NEXT)" \
    [ "$ON_TIME" = True -a "$NEXT" = 2027-02-05T17:00:00Z ]
expect_err "a done task cannot be rescheduled (409)" 409 pc sam.tm task reschedule "$CPV" --due 2027-01-29 --reason "Too late"

# --------------------------------------------------------------------
# 3. Attaching a standard to a task made by hand
N0=$(tasks)
expect_err "--standard naming no standard is 422" 422 pc sam.tm task new SR-K2 --kind statutory-visit --title "Visit" --standard no-such-rule
expect_err "--standard of a carer's rule on a child's case is 422" 422 pc sam.tm task new SR-K2 --kind review --title "Review" --standard carer-annual-review
expect_err "--standard whose task kind differs is 422" 422 pc sam.tm task new SR-K2 --kind general --title "Visit" --standard cic-visit
N1=$(tasks)
OUT=$(pc sam.tm --json task new SR-K2 --kind statutory-visit --title "Visit at home after the move" --due 2027-01-26 --standard cic-visit)
ATTACHED=$(jget id)
check "a statutory visit made by hand carries its standard ($(jget standard)); the refused ones created nothing ($N0 / $N1)" \
    [ "$(jget standard)" = cic-visit -a "$N0" = "$N1" ]
OUT=$(pc sam.tm --json task new SR-K2 --kind statutory-visit --title "Unplanned visit" --due 2027-01-27)
LOOSE=$(jget id)

# --------------------------------------------------------------------
# 4. Declined by everyone, and nobody free
OUT=$(pc sam.tm --json task new SR-K3 --kind statutory-visit --title "Visit to the child" --due 2027-01-25 --standard cic-visit)
DECLINED=$(jget id)
for _ in 1 2 3 4 5 6; do
    OUT=$(pc sam.tm --json task show "$DECLINED"); HOLDER=$(jget assignee)
    [ "$HOLDER" = None ] && break
    pc "$HOLDER" task decline "$DECLINED" --reason "No capacity" >/dev/null
done
OUT=$(pc sam.tm --json task show "$DECLINED")
DECLINED_STATE=$(jget state)
pc root.admin leave request --member sam.tm --kind sickness --from 2027-01-22 >/dev/null
pc sam.tm leave request --member tara.sw --kind sickness --from 2027-01-22 >/dev/null
pc sam.tm leave request --member umar.sw --kind sickness --from 2027-01-22 >/dev/null
OUT=$(pc tara.sw --json task new SR-K3 --kind statutory-visit --title "Visit while all are away" --due 2027-01-28 --standard cic-visit)
NOBODY=$(jget id)
check "with every qualified member away the next visit is held by nobody ($(jget assignee), $(jget state))" \
    [ "$(jget assignee)" = None -a "$(jget state)" = open ]

clock "2027-01-27T12:00:00Z"
OUT=$(pc sam.tm --json task list --overdue)
check "every qualified member declined a visit ($DECLINED_STATE): task list --overdue shows it to the team manager" \
    $PY -c 'import json,sys; sys.exit(0 if sys.argv[3] == "declined" and any(t["id"] == int(sys.argv[2]) for t in json.loads(sys.argv[1])["items"]) else 1)' "$OUT" "$DECLINED" "$DECLINED_STATE"
expect_out "... and the readable list marks it declined" "^$DECLINED +SR-K3 .*declined" pc sam.tm task list --overdue

# --------------------------------------------------------------------
# 5. The report
OUT=$(pc sam.tm --json report compliance --to 2028-12-31)
check "cancelled: the annual review is counted ($(row carer-annual-review cancelled))" [ "$(row carer-annual-review cancelled)" = 1 ]
check "... with who cancelled it and why" \
    [ "$(listed cancelled_tasks "$REVIEW" by)" = sam.tm -a "$(listed cancelled_tasks "$REVIEW" reason)" = "Carers moved to another agency" ]
check "unassigned: the declined visit, the one nobody was free for, and the one whose holder went off sick ($(row cic-visit unassigned))" \
    [ "$(row cic-visit unassigned)" = 3 -a "$(listed unassigned_tasks "$ATTACHED" why)" = "nobody free" ]
check "... the declined one says so, naming who declined ($(listed unassigned_tasks "$DECLINED" why): $(listed unassigned_tasks "$DECLINED" declined_by))" \
    [ "$(listed unassigned_tasks "$DECLINED" why)" = "declined by everyone" -a "$(listed unassigned_tasks "$DECLINED" declined_by)" = "['sam.tm', 'tara.sw', 'umar.sw']" ]
check "... the other: nobody free ($(listed unassigned_tasks "$NOBODY" why))" [ "$(listed unassigned_tasks "$NOBODY" why)" = "nobody free" ]
check "the declined visit still counts as overdue ($(row cic-visit overdue) overdue: the visits due 25 and 26 January)" \
    [ "$(row cic-visit overdue)" = 2 -a "$(listed overdue_tasks "$DECLINED" title)" = "Visit to the child" ]
check "the visit made by hand with --standard counts ($(listed overdue_tasks "$ATTACHED" standard))" [ "$(listed overdue_tasks "$ATTACHED" standard)" = cic-visit ]
check "the statutory visit made without a standard is listed apart ($(listed unattached_tasks "$LOOSE" title))" \
    [ "$(listed unattached_tasks "$LOOSE" title)" = "Unplanned visit" -a "$(listed unattached_tasks "$LOOSE" kind)" = statutory-visit ]
OUT=$(pc sam.tm --json report compliance --from 2027-01-26 --to 2027-01-31)
check "a period that starts after they fell due still counts them as overdue ($(row cic-visit overdue))" [ "$(row cic-visit overdue)" = 2 ]
check "... the welcome pack made by the approval, due 11 January and never sent, too ($(row carer-welcome-pack overdue))" \
    [ "$(row carer-welcome-pack overdue)" = 1 ]
check "... and lists the task left unattached, overdue too ($(listed unattached_tasks "$LOOSE" state))" [ "$(listed unattached_tasks "$LOOSE" task)" = "$LOOSE" ]
OUT=$(pc sam.tm --json report compliance --from 2026-12-01 --to 2026-12-31)
check "a December window, before any of it was due, still shows what is overdue now ($(row cic-visit overdue))" [ "$(row cic-visit overdue)" = 2 ]

OUT=$(pc sam.tm report compliance --to 2028-12-31)
printf '%s\n' "$OUT" | grep -Eq "STANDARD +ON-TIME +LATE +OVERDUE +DUE-14D +CANCELLED +UNASSIGNED +TITLE" \
    && ok "the readable table has CANCELLED, UNASSIGNED and TITLE columns" || not_ok "table heads: $OUT"
printf '%s\n' "$OUT" | grep -Eq "^carer-annual-review +0 +0 +0 +0 +1 +0 +Foster carer's annual review" \
    && ok "... and the annual review's line shows its title and one cancelled" || not_ok "annual review line: $OUT"
printf '%s\n' "$OUT" | grep -Eq "^cic-visit +0 +0 +2 +1 +0 +3 +Statutory visit to the child in care" \
    && ok "... the visits' line: two overdue, one due soon, three held by nobody" || not_ok "cic-visit line: $OUT"
printf '%s\n' "$OUT" | grep -Eq "^ +$REVIEW +SR-C1 +carer-annual-review +sam.tm .*Carers moved to another agency" \
    && ok "... cancelled tasks with who and why" || not_ok "cancelled list: $OUT"
printf '%s\n' "$OUT" | grep -Eq "^ +$DECLINED +SR-K3 .*declined by everyone" \
    && ok "... the tasks held by nobody, and why" || not_ok "unassigned list: $OUT"
printf '%s\n' "$OUT" | grep -A3 "statutory tasks no standard is attached to" | grep -Eq "^ +$LOOSE +SR-K2 +statutory-visit" \
    && ok "... and the statutory task with no standard" || not_ok "unattached list: $OUT"
OUT=$(pc sam.tm report compliance --to 2028-12-31 --csv)
check "--csv has the new counts: cancelled,unassigned" \
    sh -c "printf '%s\n' \"\$0\" | head -1 | grep -qx 'standard,title,on_time,late,overdue,due_soon,cancelled,unassigned' && printf '%s\n' \"\$0\" | grep -q '^carer-annual-review,Foster carer.s annual review,0,0,0,0,1,0$'" "$OUT"

# --------------------------------------------------------------------
# 6. A simulated half year with cancellations, reschedules and tasks
#    declined by everyone, on a fresh database, counted by the test itself
#    (tests/standards_report_sim.py)
stop_podd
check "podd stopped cleanly before the simulation (${PODD_STATUS:-?})" [ "${PODD_STATUS:-1}" = 0 ]
rm -f "$T"/podd.db "$T"/podd.db-wal "$T"/podd.db-shm
start_podd || { not_ok "podd starts again"; exit 1; }
SIMOUT=$(PODCTL="$PODCTL" EP="$EP" T="$T" timeout 300 $PY "$ROOT/tests/standards_report_sim.py" 2>&1)
printf '%s\n' "$SIMOUT"
FAILS=$((FAILS + $(printf '%s\n' "$SIMOUT" | grep -c '^not ok - ')))
printf '%s\n' "$SIMOUT" | grep -q "^# simulated half year" || not_ok "the simulated half year ran to the end: $(printf '%s\n' "$SIMOUT" | tail -3)"

finish
