# Task routing: the policy and its reasons, the state machine, live
# delivery to watchers (two devices), the durable mailbox on reconnect,
# and bad input.
. "$(dirname "$0")/../lib.sh"

make_config
keygen alice.tm ben.sp carla.sp dev.sw erin.sw femi.sw gwen.sw hana.saw ivan.supw dana.coord jo.fiw sam.tm tara.sw umar.sw vic.supw
start_podd || { not_ok "podd starts"; exit 1; }

pc alice.tm case open NC-1 --kind child --lead dev.sw --coworker erin.sw >/dev/null
pc alice.tm case open NH-1 --kind carer-household --lead carla.sp --coworker ivan.supw >/dev/null
pc alice.tm case open NC-2 --kind child >/dev/null
pc alice.tm case open NC-9 --kind child --lead dev.sw >/dev/null
pc alice.tm case close NC-9 >/dev/null

# json FIELD: read a field of the last JSON output
jget () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k] if not k.isdigit() else d[int(k)]
print(d)' "$OUT" "$1"; }

# Two devices of dev.sw watching, one of erin.sw
watch_bg dev.sw "$T/dev-a.out" --count 1; WA=$W
watch_bg dev.sw "$T/dev-b.out" --count 1; WB=$W
sleep 0.5

OUT=$(pc alice.tm --json task new NC-1 --kind statutory-visit --title "Statutory visit" --due 2026-12-01)
T1=$(jget id)
check "a statutory visit routes to the lead worker" [ "$(jget route.assignee)" = dev.sw ]
check "the reason is 'lead worker'" [ "$(jget route.reason)" = "lead worker" ]
check "the task is offered" [ "$(jget state)" = offered ]
timeout 10 sh -c "wait $WA 2>/dev/null; while kill -0 $WA 2>/dev/null; do sleep 0.1; done"
timeout 10 sh -c "while kill -0 $WB 2>/dev/null; do sleep 0.1; done"
check "device A received the task live" grep -q "task $T1 " "$T/dev-a.out"
check "device B received the task live" grep -q "task $T1 " "$T/dev-b.out"
expect_out "task show gives the routing reason" "lead worker" pc dev.sw task show "$T1"

# Decline: re-routes to the co-worker, never back to the decliner
expect_err "decline with an empty reason is 422" 422 pc dev.sw task decline "$T1" --reason ""
expect_err "erin cannot accept dev's task" 403 pc erin.sw task accept "$T1"
OUT=$(pc dev.sw --json task decline "$T1" --reason "On a course that day")
check "declined task goes to the co-worker erin.sw" [ "$(jget assignee)" = erin.sw ]
expect_out "history says why" "co-worker who knows the case" pc alice.tm task show "$T1"
expect_err "the decliner cannot act on it any more" 403 pc dev.sw task accept "$T1"
OUT=$(pc erin.sw --json task decline "$T1" --reason "Leave")
A=$(jget assignee)
check "second decline goes to neither decliner ($A)" [ "$A" != dev.sw ] && [ "$A" != erin.sw ] && [ -n "$A" ]
expect_out "lowest-load reason recorded" "lowest open load" pc alice.tm task show "$T1"
expect_ok "the new assignee accepts" pc "$A" task accept "$T1"
expect_err "accepting twice is 409" 409 pc "$A" task accept "$T1"
expect_err "done without evidence is 422" 422 pc "$A" task done "$T1" --evidence ""
expect_out "done with evidence" "done" pc "$A" task done "$T1" --evidence "Visit made, child seen alone" --reference "VF-77"
expect_err "done twice is 409" 409 pc "$A" task done "$T1" --evidence "again"

# Role rules: a welcome pack skips a senior practitioner lead for an allowed co-worker
OUT=$(pc alice.tm --json task new NH-1 --kind welcome-pack --title "Carers' handbook")
T2=$(jget id)
check "welcome pack skips a lead whose role may not do it" [ "$(jget route.assignee)" = ivan.supw ]
expect_err "handoff to a role the kind forbids is 422" 422 pc alice.tm task handoff "$T2" --to carla.sp
expect_err "handoff outside the pod is 422" 422 pc ivan.supw task handoff "$T2" --to vic.supw
expect_err "handoff to an unknown member is 404" 404 pc ivan.supw task handoff "$T2" --to nobody
expect_err "handoff by someone else is 403" 403 pc dev.sw task handoff "$T2" --to hana.saw
expect_out "handoff within the pod" "hana.saw" pc ivan.supw task handoff "$T2" --to hana.saw --reason "Hana knows the carers"
expect_err "reassign by a social worker is 403" 403 pc dev.sw task reassign "$T2" --to ivan.supw
expect_err "reassign by another pod's manager is 403" 403 pc sam.tm task reassign "$T2" --to ivan.supw
expect_out "reassign by the manager" "ivan.supw" pc alice.tm task reassign "$T2" --to ivan.supw
expect_err "cancel by a member who neither created it nor manages" 403 pc dev.sw task cancel "$T2"
expect_out "cancel by the creator" "cancelled" pc alice.tm task cancel "$T2" --reason "Sent by post already"
expect_err "cancel twice is 409" 409 pc alice.tm task cancel "$T2"

# No lead: lowest load; unassigned roles: escalate to the team manager
OUT=$(pc alice.tm --json task new NC-2 --kind general --title "Book interpreter")
check "no lead: lowest open load" sh -c "echo '$(jget route.reason)' | grep -q 'lowest open load'"

# Everyone allowed declines: escalated to the team manager, then nobody
pc sam.tm case open SC-1 --kind carer-household >/dev/null
OUT=$(pc sam.tm --json task new SC-1 --kind welcome-pack --title "Pack")
T3=$(jget id)
for i in 1 2 3; do
    OUT=$(pc sam.tm --json task show "$T3"); who=$(jget assignee)
    [ "$who" = sam.tm ] && break
    pc "$who" task decline "$T3" --reason "Cannot" >/dev/null
done
OUT=$(pc sam.tm --json task show "$T3")
check "after every allowed member declined, the TM has it" [ "$(jget assignee)" = sam.tm ]
expect_out "the reason says escalated to TM" "escalated to TM" pc sam.tm task show "$T3"
OUT=$(pc sam.tm --json task decline "$T3" --reason "No capacity")
check "when the TM declines too the task is declined, unassigned" [ "$(jget state)" = declined ]
expect_out "the history says nobody is left" "nobody left" pc sam.tm task show "$T3"

# Bad input: nothing created
before=$(sqlite3 "$T/podd.db" "SELECT COUNT(*) FROM tasks")
expect_err "task for a closed case is 409" 409 pc alice.tm task new NC-9 --kind general --title x
expect_err "unknown kind is 422" 422 pc alice.tm task new NC-1 --kind tea-party --title x
expect_err "impossible due date is 422" 422 pc alice.tm task new NC-1 --kind general --title x --due 2026-02-30
expect_err "garbage due date is 422" 422 pc alice.tm task new NC-1 --kind general --title x --due "next tuesday"
expect_err "bad priority is 422" 422 pc alice.tm task new NC-1 --kind general --title x --priority whenever
expect_err "unknown case is 404" 404 pc alice.tm task new NC-404 --kind general --title x
expect_err "another pod's case is 403" 403 pc tara.sw task new NC-1 --kind general --title x
expect_err "unknown task is 404" 404 pc alice.tm task show 99999
expect_err "another pod's task is 403" 403 pc tara.sw task show "$T1"
after=$(sqlite3 "$T/podd.db" "SELECT COUNT(*) FROM tasks")
check "bad requests created no task ($before = $after)" [ "$before" = "$after" ]

# Lists
pc alice.tm task new NC-1 --kind general --title "Overdue thing" --due 2026-01-05 >/dev/null
expect_out "task list --mine" "Overdue thing" pc dev.sw task list --mine
expect_out "task list --pod" "Book interpreter" pc alice.tm task list --pod
expect_out "task list --overdue" "Overdue thing" pc alice.tm task list --overdue
OUT=$(pc alice.tm task list --overdue)
check "overdue list has only overdue work" sh -c "! echo \"\$1\" | grep -q 'Book interpreter'" _ "$OUT"
expect_out "task list --case" "Statutory visit" pc alice.tm task list --case NC-1

# Offline mailbox: dev.sw is not watching; three tasks arrive; on
# reconnect they come in order, then acknowledged ones are not repeated
for i in 1 2 3; do pc alice.tm task new NC-1 --kind general --title "Offline $i" >/dev/null; done
timeout 15 "$PODCTL" -e "$EP" -k "$T/keys/dev.sw.cert" -s "$T/keys/podd.cert" watch --count 4 > "$T/dev-c.out" 2>/dev/null
titles=$(grep -o 'Offline [0-9]' "$T/dev-c.out" | tr '\n' ' ')
check "reconnect delivers what was missed, in order ($titles)" [ "$titles" = "Offline 1 Offline 2 Offline 3 " ]
pc alice.tm task new NC-1 --kind general --title "Fresh one" >/dev/null
timeout 10 "$PODCTL" -e "$EP" -k "$T/keys/dev.sw.cert" -s "$T/keys/podd.cert" watch --count 1 > "$T/dev-d.out" 2>/dev/null
check "acknowledged deliveries are not sent again" sh -c "grep -q 'Fresh one' '$T/dev-d.out' && ! grep -q 'Offline' '$T/dev-d.out'"
# --no-ack leaves them for the next session
pc alice.tm task new NC-1 --kind general --title "Unacked" >/dev/null
timeout 10 "$PODCTL" -e "$EP" -k "$T/keys/dev.sw.cert" -s "$T/keys/podd.cert" watch --count 1 --no-ack > "$T/dev-e.out" 2>/dev/null
timeout 10 "$PODCTL" -e "$EP" -k "$T/keys/dev.sw.cert" -s "$T/keys/podd.cert" watch --count 1 > "$T/dev-f.out" 2>/dev/null
check "an unacknowledged delivery is redelivered with the same task and version" \
    sh -c "[ -n \"\$(cat '$T/dev-e.out')\" ] && [ \"\$(cat '$T/dev-e.out')\" = \"\$(cat '$T/dev-f.out')\" ]"

# Restart: the mailbox survives
pc alice.tm task new NC-1 --kind general --title "Across restart" >/dev/null
stop_podd; start_podd || not_ok "podd restarts"
timeout 10 "$PODCTL" -e "$EP" -k "$T/keys/dev.sw.cert" -s "$T/keys/podd.cert" watch --count 1 > "$T/dev-g.out" 2>/dev/null
check "a delivery survives a restart" grep -q "Across restart" "$T/dev-g.out"

finish
