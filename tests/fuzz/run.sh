#!/bin/bash
# tests/fuzz/run.sh SECONDS TARGET... - run each libFuzzer target in
# build/fuzz/ for SECONDS on a scratch copy of its seed corpus
# (tests/fuzz/corpus/TARGET), one target at a time, and print per target
# the executions, the corpus growth and the crashes found. The repository's
# corpus is never written to: with FUZZ_MERGE=1 the inputs that add
# coverage are merged into it deliberately (-merge=1, then review and
# commit them). Crashing inputs are kept in build/fuzz/artifacts/TARGET/;
# each one becomes a regression input in tests/fuzz/regress/TARGET/ once
# fixed. FUZZ_JOBS=N runs N processes per target (default 1: the machine
# is shared). tests/fuzz/TARGET.dict, when present, is the target's
# libFuzzer dictionary. Exit status 1 when any target crashed.
set -u
cd "$(dirname "$0")/../.." || exit 1
TIME=${1:-600}
shift
[ $# -gt 0 ] || set -- podp config standards reply
FB=build/fuzz
JOBS=${FUZZ_JOBS:-1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
scratch=$(mktemp -d /tmp/podd-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
summary=""
crashed=0
for t in "$@"; do
    bin=$FB/fuzz_$t
    [ -x "$bin" ] || { echo "fuzz: $bin missing (make fuzz-build)" >&2; exit 2; }
    mkdir -p "$scratch/$t/corpus" "$FB/artifacts/$t"
    cp tests/fuzz/corpus/"$t"/* "$scratch/$t/corpus/"
    seeds=$(ls "$scratch/$t/corpus" | wc -l)
    before=$(ls "$FB/artifacts/$t" | wc -l)
    log=$FB/artifacts/$t.log
    echo "== fuzz_$t: $TIME s, $seeds seeds, log in $log"
    # -timeout: an input taking 10 s is a stall, reported as a crash
    opts=()
    [ -f tests/fuzz/"$t".dict ] && opts+=(-dict=tests/fuzz/"$t".dict)
    [ "$JOBS" -gt 1 ] && opts+=(-jobs="$JOBS" -workers="$JOBS")
    "$bin" -max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        "${opts[@]}" -artifact_prefix="$FB/artifacts/$t/" "$scratch/$t/corpus" > "$log" 2>&1
    # with -jobs libFuzzer writes fuzz-N.log per job: fold them in
    for j in fuzz-*.log; do [ -e "$j" ] && cat "$j" >> "$log" && rm -f "$j"; done
    execs=$(grep -h 'stat::number_of_executed_units' "$log" | awk '{s += $2} END {print s + 0}')
    rate=$(grep -h 'stat::average_exec_per_sec' "$log" | awk '{s += $2} END {print s + 0}')
    cov=$(grep -hoE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
    after=$(ls "$scratch/$t/corpus" | wc -l)
    found=$(( $(ls "$FB/artifacts/$t" | wc -l) - before ))
    [ "$found" -gt 0 ] && crashed=1
    line=$(printf '%-10s %12s execs %7s/s  cov %-5s corpus %d -> %d  crashes %d' \
           "$t" "$execs" "$rate" "${cov:-?}" "$seeds" "$after" "$found")
    echo "$line"
    summary="$summary$line"$'\n'
    if [ "$found" -gt 0 ]; then
        ls -t "$FB/artifacts/$t" | head -"$found" | sed "s|^|    $FB/artifacts/$t/|"
        grep -m3 -E 'ERROR: |runtime error|deadly signal' "$log" | sed 's/^/    /'
    fi
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
        "$bin" -merge=1 tests/fuzz/corpus/"$t" "$scratch/$t/corpus" > "$log.merge" 2>&1
        echo "    merged into tests/fuzz/corpus/$t: $(ls tests/fuzz/corpus/"$t" | wc -l) files"
    fi
done
echo
echo "== fuzz summary ($TIME s per target)"
printf '%s' "$summary"
exit $crashed
