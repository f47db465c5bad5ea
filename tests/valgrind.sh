#!/bin/bash
# tests/valgrind.sh [SCRIPT...] - run the self-tests and the integration
# tests (default: every tests/integration/*.sh but the fuzz smoke) with
# podd and podctl under valgrind (memcheck, --leak-check=full), using the
# plain debug build in build/vg/ (make valgrind builds it: -O1 -g, no
# sanitizers). build/vg/wrap/ holds the podd and podctl the tests run:
# scripts that exec valgrind on the real binaries (same pid, so signals
# and `wait` work as usual), logging to build/vg/logs/SCRIPT/. A memory
# error or a definite/indirect leak makes the process exit 99, which the
# test sees as a failure. tests/valgrind.supp silences library-internal
# one-time allocations. Prints per script the tests passed/failed,
# valgrind errors, and bytes definitely/indirectly lost; exits non-zero
# on any of them. VG_PODCTL=0 leaves podctl out. Slow (minutes per
# script, VG_TIMEOUT seconds at most, default 1800): not part of make
# check.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
VG=build/vg
WRAP=$VG/wrap
LOGS=$VG/logs
command -v valgrind > /dev/null || { echo "valgrind: not installed (make valgrind installs it)" >&2; exit 2; }
for b in podd podctl podd_selftest; do
    [ -x "$VG/$b" ] || { echo "valgrind: $VG/$b missing (make valgrind builds it)" >&2; exit 2; }
done
# several runs may share build/vg (each script's logs are its own)
mkdir -p "$WRAP" "$LOGS" "$VG/tmp"
for b in podd podctl podd_selftest; do
    cat > "$WRAP/$b" <<EOF
#!/bin/sh
exec valgrind --leak-check=full --show-leak-kinds=definite,indirect \\
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=40 \\
    --suppressions="$ROOT/tests/valgrind.supp" \\
    --log-file="\${VG_LOGDIR:-$ROOT/$LOGS}/$b.%p.log" "$ROOT/$VG/$b" "\$@"
EOF
    chmod +x "$WRAP/$b"
done
# VG_PODCTL=0: podctl runs natively (podd alone under valgrind), many
# times faster on a loaded machine: podctl is started hundreds of times
if [ "${VG_PODCTL:-1}" = 0 ]; then
    printf '#!/bin/sh\nexec "%s" "$@"\n' "$ROOT/$VG/podctl" > "$WRAP/podctl"
fi
ln -sfn ../tests "$WRAP/tests"        # the test drivers run as they are

if [ $# -eq 0 ]; then
    set -- selftest $(ls tests/integration/*.sh | grep -v fuzz-smoke)
fi
export BUILD=$WRAP
# valgrind slows podd's start: give start_podd longer than its 10 s
export PODD_START_WAIT=${PODD_START_WAIT:-600}
# and each podctl request longer than its 5 s; test directories go under
# build/vg/tmp (not /tmp, which other runs on the machine share)
export PODCTL_TIMEOUT=${PODCTL_TIMEOUT:-30}
export TMPDIR=$ROOT/$VG/tmp
table=""
bad=0
for script in "$@"; do
    name=$(basename "$script" .sh)
    export VG_LOGDIR="$ROOT/$LOGS/$name"
    rm -rf "$VG_LOGDIR"
    mkdir -p "$VG_LOGDIR"
    out="$VG_LOGDIR/test.out"
    start=$(date +%s)
    if [ "$script" = selftest ]; then
        if "$WRAP/podd_selftest" > "$out" 2>&1; then echo "ok - selftests" >> "$out"
        else echo "not ok - selftests exited $?" >> "$out"; fi
    else
        timeout "${VG_TIMEOUT:-1800}" bash "$script" > "$out" 2>&1
        rc=$?
        [ $rc -ne 0 ] && ! grep -q '^not ok - ' "$out" && echo "not ok - $script exited $rc" >> "$out"
    fi
    secs=$(( $(date +%s) - start ))
    passed=$(grep -c '^ok - ' "$out")
    failed=$(grep -c '^not ok - ' "$out")
    # one log per process; a killed process (kill -9 tests) leaves no summary
    logs=$(ls "$VG_LOGDIR"/*.log 2>/dev/null | wc -l)
    done_=$(cat "$VG_LOGDIR"/*.log 2>/dev/null | grep -c 'ERROR SUMMARY')
    errors=$(cat "$VG_LOGDIR"/*.log 2>/dev/null | awk '/ERROR SUMMARY:/ {s += $4} END {print s + 0}')
    definite=$(cat "$VG_LOGDIR"/*.log 2>/dev/null | awk '/definitely lost:/ {gsub(",", "", $4); s += $4} END {print s + 0}')
    indirect=$(cat "$VG_LOGDIR"/*.log 2>/dev/null | awk '/indirectly lost:/ {gsub(",", "", $4); s += $4} END {print s + 0}')
    line=$(printf '%-16s %4ss  tests %3d ok %2d not ok  processes %4d (%d summarised)  errors %d  definitely lost %d B  indirectly lost %d B' \
           "$name" "$secs" "$passed" "$failed" "$logs" "$done_" "$errors" "$definite" "$indirect")
    echo "$line"
    grep '^not ok - ' "$out" | head -5 | cut -c1-300 | sed 's/^/    /'
    table="$table$line"$'\n'
    [ "$failed" -gt 0 ] || [ "$errors" -gt 0 ] || [ "$definite" -gt 0 ] || [ "$indirect" -gt 0 ] && bad=1
done
echo
echo "== valgrind summary (logs in $LOGS/SCRIPT/)"
printf '%s' "$table"
exit $bad
