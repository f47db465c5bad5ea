# Fuzz smoke: builds the libFuzzer targets (make fuzz-build: clang with
# ASan and UBSan into build/fuzz/), replays every input under
# tests/fuzz/regress/TARGET/ (each crashed podd's code once and must not
# any more), then runs each target FUZZ_SMOKE_TIME seconds (default 10)
# on a scratch copy of its seed corpus. `make fuzz` is the long run.
. "$(dirname "$0")/../lib.sh"
SMOKE=${FUZZ_SMOKE_TIME:-10}
FB="$ROOT/build/fuzz"
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

if OUT=$(make -C "$ROOT" -s --no-print-directory fuzz-build 2>&1); then
    ok "fuzz targets build with clang -Werror"
else
    not_ok "make fuzz-build: $(printf '%s\n' "$OUT" | tail -15)"
    exit 1
fi

cd "$ROOT" || exit 1
for t in podp config standards reply; do
    regress=(tests/fuzz/regress/"$t"/*)
    if [ -e "${regress[0]}" ]; then
        if OUT=$("$FB/fuzz_$t" -runs=1 "${regress[@]}" 2>&1); then
            ok "fuzz_$t replays ${#regress[@]} regression inputs"
        else
            not_ok "fuzz_$t regression input crashes: $(printf '%s\n' "$OUT" | grep -m5 -E 'Running|ERROR|runtime error|SUMMARY')"
        fi
    fi
    mkdir -p "$T/$t"
    cp tests/fuzz/corpus/"$t"/* "$T/$t/"
    seeds=$(ls "$T/$t" | wc -l)
    if OUT=$("$FB/fuzz_$t" -max_total_time="$SMOKE" -timeout=10 -print_final_stats=1 \
             -dict=tests/fuzz/"$t".dict \
             -artifact_prefix="$T/crash-$t-" "$T/$t" 2>&1); then
        execs=$(printf '%s\n' "$OUT" | awk '/stat::number_of_executed_units/ {print $2}')
        ok "fuzz_$t ${SMOKE}s: $execs executions, corpus $seeds -> $(ls "$T/$t" | wc -l), no crash"
    else
        not_ok "fuzz_$t crashed (make fuzz for the long run): $(printf '%s\n' "$OUT" | grep -m5 -E 'ERROR|runtime error|SUMMARY|Test unit written')"
        mkdir -p "$FB/artifacts/$t" && cp "$T"/crash-"$t"-* "$FB/artifacts/$t/" 2>/dev/null
    fi
done
[ "$FAILS" -eq 0 ]
