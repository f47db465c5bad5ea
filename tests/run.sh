#!/bin/sh
# Run every test against the binaries in BUILD (default build/san):
# the self-tests of every class, then each integration script in
# tests/integration/. Prints "N passed, N failed" and exits non-zero on
# any failure.
BUILD=${1:-build/san}
cd "$(dirname "$0")/.." || exit 1
export BUILD
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
results=$(mktemp)
trap 'rm -f "$results"' EXIT

echo "== self-tests"
if "$BUILD/podd_selftest" -v; then
    echo "ok - selftests" >> "$results"
else
    echo "not ok - selftests" >> "$results"
fi

for script in tests/integration/*.sh; do
    [ -e "$script" ] || continue
    echo "== $script"
    out=$(mktemp)
    timeout 600 bash "$script" > "$out" 2>&1
    rc=$?
    cat "$out"
    grep -E '^(not )?ok - ' "$out" >> "$results"
    if [ $rc -ne 0 ] && ! grep -q '^not ok - ' "$out"; then
        echo "not ok - $script exited $rc" | tee -a "$results"
    fi
    rm -f "$out"
done

passed=$(grep -c '^ok - ' "$results")
failed=$(grep -c '^not ok - ' "$results")
echo
grep '^not ok - ' "$results"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
