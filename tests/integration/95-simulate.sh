#!/usr/bin/env bash
# The continuity simulator (sim/podsim.py, `make simulate`), short: 2 pods
# of 3 (a manager, two case holders) for 1 week of warm-up and 2 measured
# weeks, each model on its own real podd (the sanitizer build) on the test
# clock. Asserts only that it
# runs, that both models produce every figure, that the seed repeats the
# run, and that the picture is drawn; the year-long run is `make simulate`.
. "$(dirname "$0")/../lib.sh"
SIM="$ROOT/sim/podsim.py"
ARGS=(--build "$ROOT/$BUILD" --dir "$T" --keep --weeks 2 --warmup-weeks 1 --pods 2 --pod-size 3 --seed 4242)

OUT=$(timeout 120 $PY "$SIM" "${ARGS[@]}" --svg "$T/sim.svg" --json "$T/sim.json" 2> "$T/sim.err"); rc=$?
printf '%s\n' "$OUT"
check "podsim runs to the end (exit $rc): $(tail -3 "$T/sim.err")" [ $rc -eq 0 ]
check "it prints the seed" grep -q "^podsim: seed 4242 (repeat with --seed 4242)" <<< "$OUT"
check "it prints the side-by-side table" grep -Eq "^ +pods +individual$" <<< "$OUT"
for row in "distinct workers per child: median" "distinct workers per child: 90th pct" "known-worker rate" \
           "uncovered days (case-days)" "case cover lines held by the manager" "tasks without an owner at due" "standards tasks late or overdue" "changes of lead per child"; do
    check "row '$row' has a figure for both models" \
        $PY -c 'import re,sys
line = next(l for l in sys.argv[1].split("\n") if l.startswith(sys.argv[2]))
cells = re.split(r"\s{2,}", line[len(sys.argv[2]):].strip())
sys.exit(0 if len(cells) == 2 and all(re.match(r"\d", c) for c in cells) else 1)' "$OUT" "$row"
done
check "both models did work through podd and have contacts, known-worker rates and standards tasks" \
    $PY -c 'import json,sys
d = json.load(open(sys.argv[1]))["results"]
ok = all(d[m]["requests"] > 100 and d[m]["contacts"] > 0 and d[m]["known_rate"] is not None
         and d[m]["standards_tasks"] > 0 and d[m]["distinct"] for m in ("pods", "individual"))
sys.exit(0 if ok else 1)' "$T/sim.json"
check "the picture is an SVG with bars for both models" \
    $PY -c 'import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
sys.exit(0 if any(t.startswith("pods:") for t in titles) and any(t.startswith("individual caseloads:") for t in titles) else 1)' "$T/sim.svg"
check "no sanitizer report in either podd's log" \
    sh -c '! grep -lE "ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:" "$1"/podsim-*/podd.log' sh "$T"
rm -rf "$T"/podsim-*

AGAIN=$(timeout 120 $PY "$SIM" "${ARGS[@]}" 2>/dev/null)
check "--seed 4242 repeats the run: the same table" \
    [ "$(printf '%s\n' "$OUT" | sed -n '/^podsim: seed 4242, /,/^changes of lead/p')" = \
      "$(printf '%s\n' "$AGAIN" | sed -n '/^podsim: seed 4242, /,/^changes of lead/p')" ]
check "... and the table is there to compare" grep -q "^changes of lead per child" <<< "$AGAIN"
rm -rf "$T"/podsim-*

expect_err_sim () { OUT=$($PY "$SIM" "$@" 2>&1); [ $? -eq 2 ]; }
check "a pod of fewer than 3 is refused (usage, exit 2)" expect_err_sim --pods 1 --pod-size 2
# (lib.sh's finish checks a podd the script started itself: podsim starts its own)
[ "$FAILS" -eq 0 ]
