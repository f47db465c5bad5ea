# Hardening: every binary of this build is linked with Debian's hardening
# flags (-fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE, -pie
# -Wl,-z,relro,-z,now). Reads the ELF files only; starts nothing.
. "$(dirname "$0")/../lib.sh"

command -v readelf > /dev/null || { not_ok "readelf (binutils) is installed"; exit 1; }
for bin in podd podctl podd_selftest tests/mailer_driver tests/calendar_driver; do
    f="$ROOT/$BUILD/$bin"
    [ -f "$f" ] || { not_ok "$bin is built in $BUILD"; continue; }
    check "$bin is a position-independent executable (ELF type DYN)" \
        bash -c "readelf -h '$f' | grep -Eq 'Type: +DYN'"
    check "$bin has full RELRO (GNU_RELRO segment and BIND_NOW)" \
        bash -c "readelf -lW '$f' | grep -q GNU_RELRO && readelf -d '$f' | grep -Eq 'BIND_NOW|Flags:.* NOW'"
    check "$bin is built with the stack protector (__stack_chk_fail)" \
        bash -c "readelf --dyn-syms -W '$f' | grep -q '__stack_chk_fail'"
    check "$bin is built with FORTIFY_SOURCE (__*_chk functions)" \
        bash -c "readelf --dyn-syms -W '$f' | grep -Eq ' __[a-z]+_chk(@|\$)'"
done
exit $((FAILS > 0))
