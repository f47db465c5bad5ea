# Chains that follow the work, on a test clock (tests/standards_chains_sim.py
# does the year and checks every due date against its own arithmetic):
# placements and long-term status (a move restarts first-year visiting;
# long-term counts from the last visit, only after the first year), the
# child protection chain from the initial conference done to core groups,
# CP visits and review conferences, a later strategy discussion replacing
# the open ICPC, ending events (cp-plan-ended, ceased-looked-after,
# case-closed, strategy-discussion --outcome nfa, placement-ended) closing
# open tasks with the reason in their history, and child and carer cases
# linked by child-placed --carer. Then what podctl shows of it.
. "$(dirname "$0")/../lib.sh"

export PODD_CLOCK_FILE="$T/clock"
echo "2027-01-04T09:00:00Z" > "$PODD_CLOCK_FILE"

make_config
keygen alice.tm dev.sw erin.sw
start_podd || { not_ok "podd starts"; exit 1; }

SIMOUT=$(EP="$EP" T="$T" timeout 120 $PY "$ROOT/tests/standards_chains_sim.py" 2>&1)
printf '%s\n' "$SIMOUT"
FAILS=$((FAILS + $(printf '%s\n' "$SIMOUT" | grep -c '^not ok - ')))
printf '%s\n' "$SIMOUT" | grep -q "^# chains: " || not_ok "the simulation ran to the end: $(printf '%s\n' "$SIMOUT" | tail -3)"

# What a person sees
expect_out "podctl case show of the child lists its placements with the carers' cases" \
    "NC-P1 +NH-A +Mon 11 Jan 2027 +Tue" pc alice.tm case show NC-P1
expect_out "podctl case show of the carers lists the child placed with them" \
    "placements.*" pc alice.tm case show NH-B
check "... naming NC-P1" grep -q "NC-P1 *NH-B" <<< "$OUT"
expect_out "podctl standards lists the later core groups with their source, marked local" \
    "cp-core-group.*task-done.*6 weeks, recurring.*Working Together.*local choice: every 6 weeks \(local\)" pc alice.tm standards
pc alice.tm case open NC-T1 --kind child --lead dev.sw >/dev/null
TODAY=$(cut -c1-10 "$PODD_CLOCK_FILE")
pc alice.tm case event NC-T1 --type strategy-discussion --date "$TODAY" >/dev/null
expect_out "podctl case event --outcome nfa says which task the chain ended" \
    "tasks ended.*" pc alice.tm case event NC-T1 --type strategy-discussion --date "$TODAY" --outcome nfa
check "... the ICPC, with its standard" grep -q "cp-initial-conference" <<< "$OUT"
expect_err "podctl case event --outcome with an unknown value is 422" 422 \
    pc alice.tm case event NC-T1 --type strategy-discussion --date "$TODAY" --outcome maybe

finish
