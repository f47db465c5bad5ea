# The later practice standards on a test clock: the statutory and seed
# rules added to standards.conf (referral decision, strategy discussions,
# the LADO, care and placement plans, carers' supervision, the first
# annual review at panel, the handover visit a few working days after
# approval, early reviews after concerns resetting the annual clock),
# rules triggered by a child's age by the scheduler (one timer over the
# cases' next age moment; caught up after a restart), warnings instead of
# silence (no date of birth, done dates before the event, the bank-holiday
# file running out, due dates beyond it), and reminders counting working
# days as the standards do. Every due date is checked against the test's
# own arithmetic (tests/standards_rules_sim.py), not podd's.
. "$(dirname "$0")/../lib.sh"
SIM="$ROOT/tests/standards_rules_sim.py"

export PODD_CLOCK_FILE="$T/clock"
clock () { echo "$1" > "$PODD_CLOCK_FILE.tmp" && mv "$PODD_CLOCK_FILE.tmp" "$PODD_CLOCK_FILE"; }
clock "2027-01-04T09:00:00Z"

make_config
# The bank-holiday file lists 2025 to 2027 only: it ends within a year
sed -i '/^holiday = "20\(2[89]\|30\)-/d' "$T/bank-holidays.conf"
keygen alice.tm dev.sw erin.sw
due () { $PY "$SIM" due "$@"; }
phase () {      # NAME: one phase of the scenario, its ok/not ok lines counted
    local out; out=$(PODCTL="$PODCTL" EP="$EP" T="$T" timeout 120 $PY "$SIM" phase "$1" 2>&1)
    printf '%s\n' "$out"
    FAILS=$((FAILS + $(printf '%s\n' "$out" | grep -c '^not ok - ')))
}
jq_ () { $PY -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k] if not k.isdigit() else d[int(k)]
print(d)' "$OUT" "$1"; }

# --------------------------------------------------------------------
# The bank-holiday file running out: podd -n and the start-up log warn
OUT=$("$PODD" -n -c "$T/podd.conf" 2>&1); rc=$?
check "podd -n: configuration OK, with a warning that the bank-holiday file ends on 2027-12-28 ($OUT)" \
    sh -c '[ $0 -eq 0 ] && printf "%s" "$1" | grep -q "configuration OK" && printf "%s" "$1" | grep -q "bank-holiday file ends on 2027-12-28, within the next 12 months"' "$rc" "$OUT"
mkdir -p "$T/full" && cp "$T/podd.conf" "$T/standards.conf" "$T/full/" && cp "$ROOT/config/bank-holidays.conf" "$T/full/"
OUT=$("$PODD" -n -c "$T/full/podd.conf" 2>&1)
check "with the shipped file (to 2030) podd -n does not warn" sh -c '! printf "%s" "$0" | grep -q "bank-holiday"' "$OUT"
start_podd || { not_ok "podd starts"; exit 1; }
check "the start-up log warns about the bank-holiday file" grep -q "bank-holiday file ends on 2027-12-28" "$T/podd.log"

expect_out "podctl standards lists the new rules with their sources" \
    "child-referral-decision.*Working Together to Safeguard Children 2023, ch. 3" pc alice.tm standards
LIST=$OUT
for rule in child-strategy-after-allegation child-strategy-after-harm child-lado-professional carer-lado \
            cic-care-plan cic-placement-plan carer-supervision-visit carer-first-review-panel \
            carer-support-plan-initial carer-concern-review pathway-needs-assessment \
            pathway-plan-review transition-planning; do
    printf '%s\n' "$LIST" | grep -q "^$rule " || not_ok "podctl standards lists $rule"
done
OUT=$(pc alice.tm --json standards)
check "the supervision visit is a local choice shipped at 6 weeks, and says so" $PY -c 'import json,sys
r=[x for x in json.loads(sys.argv[1])["items"] if x["id"]=="carer-supervision-visit"][0]
sys.exit(0 if r["local_choice"] and r["timescale"]=="6 weeks" and "no frequency given" in r["source"] else 1)' "$OUT"

# --------------------------------------------------------------------
# 4 January 2027: cases, approval, ages
phase open
sql () { sqlite3 "$T/podd.db" "$1"; }
age_due () { sql "SELECT IFNULL (age_due, 0) FROM cases WHERE ref = '$1'"; }
check "each child keeps its next age moment, 00:00 London on the birthday (AG-K1 16 on 2027-01-20: $(age_due AG-K1))" \
    [ "$(age_due AG-K1)" = "$($PY "$SIM" midnight 2027-01-20)" ]
check "AG-K2 (14 on 2027-02-28) and AG-K3 (16 on 2027-02-10, not looked after) too" \
    [ "$(age_due AG-K2)" = "$($PY "$SIM" midnight 2027-02-28)" -a "$(age_due AG-K3)" = "$($PY "$SIM" midnight 2027-02-10)" ]
check "a 17-year-old with every age rule fired has none ($(age_due AG-K5))" [ "$(age_due AG-K5)" = 0 ]
check "no age moment for carers or children without a date of birth" \
    [ "$(sql "SELECT COUNT (*) FROM cases WHERE age_due IS NOT NULL")" = 3 ]

# Warnings instead of silence: a child's case without a date of birth
pc alice.tm case open AG-K4 --kind child --lead dev.sw >/dev/null
OUT=$(pc alice.tm --json case event AG-K4 --type became-looked-after --date 2027-01-04 2>/dev/null)
check "an event on a child's case without a date of birth replies with a warning" \
    sh -c 'printf "%s" "$0" | grep -q "case AG-K4 has no date of birth: the standards that depend on the child.s age (.*pathway-needs-assessment"' "$(jq_ warnings.0)"
OUT=$(pc alice.tm case event AG-K4 --type placement-difficulty --date 2027-01-04 2>&1 >/dev/null)
check "... which podctl shows (on stderr): $OUT" sh -c 'printf "%s" "$0" | grep -q "^podctl: warning: case AG-K4 has no date of birth"' "$OUT"
OUT=$(pc alice.tm --json case event AL-C1 --type placement-difficulty --date 2027-01-04)
check "no such warning on a carer household's case" sh -c '! printf "%s" "$0" | grep -q "no date of birth"' "$OUT"
OUT=$(pc alice.tm --json report compliance)
check "report compliance lists AG-K4 under missing data, not AG-K1" $PY -c 'import json,sys
m=json.loads(sys.argv[1])["missing_data"]
sys.exit(0 if {"case":"AG-K4","missing":"date of birth"} in m and not [x for x in m if x["case"]=="AG-K1"] else 1)' "$OUT"
expect_out "the readable report shows it under missing data" "missing data.*" pc alice.tm report compliance
check "... naming the case" sh -c 'printf "%s" "$0" | sed -n "/missing data/,\$p" | grep -q "AG-K4  *date of birth"' "$OUT"
pc alice.tm case event AG-K4 --type review-held --date 2027-01-04 --dob 2020-05-05 >/dev/null 2>&1
OUT=$(pc alice.tm --json report compliance)
check "once the date of birth is recorded the case leaves missing data" $PY -c 'import json,sys
sys.exit(0 if not [x for x in json.loads(sys.argv[1])["missing_data"] if x["case"]=="AG-K4"] else 1)' "$OUT"

# A done date in the future, or before the event that started the clock
H=$(pc alice.tm --json task list --case AL-C1 | $PY -c 'import json,sys
print([t["id"] for t in json.load(sys.stdin)["items"] if t["standard"]=="carer-handover-visit"][0])')
expect_err "a handover visit done before the approval it follows is 422" 422 pc erin.sw task done "$H" --evidence "Visited" --date 2027-01-03
check "... naming the date the standard counts from" sh -c 'printf "%s" "$0" | grep -q "before 2027-01-04"' "$OUT"
expect_err "a done date in the future is 422" 422 pc erin.sw task done "$H" --evidence "Visited" --date 2027-01-05
OUT=$(pc alice.tm --json task show "$H")
check "... and the task is unchanged ($(jq_ state))" [ "$(jq_ state)" != done ]

# --------------------------------------------------------------------
# Birthdays pass: the scheduler creates the age-triggered tasks
phase birthdays
phase looked-after-later

# A birthday passed while podd was down: caught up at start, counted
# from the birthday
pc alice.tm case open AG-K6 --kind child --lead dev.sw >/dev/null
pc alice.tm case event AG-K6 --type became-looked-after --date 2027-03-01 --dob 2011-03-20 >/dev/null
stop_podd
clock "2027-03-22T09:00:00Z"
start_podd || { not_ok "podd restarts"; exit 1; }
NA=$(pc alice.tm --json task list --case AG-K6 | $PY -c 'import json,sys
print(" ".join(t["due"] for t in json.load(sys.stdin)["items"] if t["standard"]=="pathway-needs-assessment"))')
check "16th birthday on 20 March while podd was down: needs assessment created at start, due $(due 2027-03-20 3 months) ($NA)" \
    [ "$NA" = "$(due 2027-03-20 3 months)" ]

# --------------------------------------------------------------------
# Reminders count working days as the standards do (Easter 2027: Friday
# 26 and Monday 29 March are bank holidays; BST from Sunday 28 March)
new_task () { pc alice.tm --json task new AL-K2 --kind statutory-visit --title "$1" --due "$2" | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
next_of () { pc dev.sw --json reminders "$1" | $PY -c 'import json,sys; print(json.load(sys.stdin)["next"])'; }
R1=$(new_task "Visit after Easter" 2027-03-30)
check "due Tuesday 30 March: the 7-day reminder on Tuesday 23rd at 08:00 ($(next_of "$R1"))" [ "$(next_of "$R1")" = 2027-03-23T08:00:00Z ]
R2=$(new_task "Visit due on a Sunday" 2027-04-04)
check "due Sunday 4 April: the 7-day reminder (Sunday 28th) goes on the working day before, Thursday 25th ($(next_of "$R2"))" \
    [ "$(next_of "$R2")" = 2027-03-25T08:00:00Z ]
R3=$(new_task "Visit due before Easter" 2027-03-25)
clock "2027-03-23T08:00:30Z"; sleep 1
check "after the 7-day reminder, the 1-day one (Monday 29th, a bank holiday) goes on Thursday 25th ($(next_of "$R1"))" \
    [ "$(next_of "$R1")" = 2027-03-25T08:00:00Z ]

phase allegations

for t in 2027-03-25T17:00:30Z 2027-03-26T08:00:30Z 2027-03-29T07:00:30Z \
         2027-03-30T07:00:30Z 2027-03-31T07:00:30Z 2027-04-01T07:00:30Z 2027-04-02T07:00:30Z; do
    clock "$t"; sleep 0.8
done
OUT=$(pc dev.sw --json reminders "$R2")
check "the Sunday task's reminders came on Thursday 25 March and Friday 2 April, the working days before" $PY -c 'import json,sys
at=sorted(r["at"][:10] for r in json.loads(sys.argv[1])["sent"])
sys.exit(0 if at==["2027-03-25","2027-04-02"] else 1)' "$OUT"
OUT=$(pc dev.sw --json reminders "$R3")
SENT=$($PY -c 'import json,sys; print(" ".join(r["kind"]+"@"+r["at"][:10] for r in json.loads(sys.argv[1])["sent"]))' "$OUT")
check "overdue from 25 March: no reminder on the bank holidays 26 and 29 March ($SENT)" \
    sh -c '! printf "%s" "$0" | grep -q "2027-03-2[69]"' "$SENT"
check "escalation on the third working day overdue, Thursday 1 April, not Tuesday 30 March ($SENT)" \
    sh -c 'printf "%s" "$0" | grep -q "escalation@2027-04-01" && ! printf "%s" "$0" | grep -q "escalation@2027-03-3"' "$SENT"

phase reviews
phase beyond

finish
