#!/usr/bin/env bash
# podweb, the web client: the real podd and the real podweb on free loopback
# ports. First podweb's own class tests, then HTTP-level checks with good and
# bad input (tests/web/http_checks.py), then the page in Debian's chromium
# driven by playwright-core with axe-core scans (tests/web/web.test.mjs,
# node:test; npm ci installs the pinned packages into tests/web/).
. "$(dirname "$0")/../lib.sh"
WEB="$ROOT/$BUILD/podweb"
WEB_DIR="$ROOT/tests/web"
WEB_PIDS=""

stop_webs () {
    for pid in $WEB_PIDS; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    WEB_PIDS=""
}
trap 'stop_webs; cleanup' EXIT

# start_web NAME ARGS...: podweb in the background; sets URL_NAME
start_web () {
    local name=$1; shift
    local port; port=$(free_port)
    "$WEB" -l "127.0.0.1:$port" -e "$EP" -k "$T/keys/podweb.cert" -s "$T/keys/podd.cert" \
        -p "$T/passwords" -w "$ROOT/clients/web" "$@" > "$T/web-$name.log" 2>&1 &
    local pid=$!
    WEB_PIDS="$WEB_PIDS $pid"
    eval "PID_$name=$pid"
    eval "URL_$name=http://127.0.0.1:$port"
    for _ in $(seq 1 100); do
        grep -q "serving" "$T/web-$name.log" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$T/web-$name.log"
    return 1
}

if "$WEB" selftest > "$T/selftest.log" 2>&1; then ok "podweb selftest (sessions, accounts, static paths)"
else not_ok "podweb selftest: $(tail -5 "$T/selftest.log")"; fi

make_config      # the shipped podd.conf lists gateway "podweb"
keygen alice.tm ben.sp dev.sw erin.sw femi.sw sam.tm tara.sw podweb
start_podd || { not_ok "podd did not start"; finish; exit 1; }
echo "dev.sw password 1" | "$WEB" -p "$T/passwords" password dev.sw || not_ok "podweb password dev.sw"
for h in alice.tm ben.sp erin.sw femi.sw sam.tm tara.sw; do echo "$h $h password 1"; done \
    | "$WEB" -p "$T/passwords" passwords || not_ok "podweb passwords"
check "the password file is mode 0600" [ "$(stat -c %a "$T/passwords")" = 600 ]
check "the password file holds argon2id hashes only" grep -q '^dev.sw \$argon2id\$' "$T/passwords"

# the demo's shape: a north pod with work, a south case north must not see
today=$(date +%Y-%m-%d)
pc alice.tm case open NC-1001 --kind child --lead dev.sw --coworker erin.sw --summary "Fictional child in need" > /dev/null
pc alice.tm case open NC-1002 --kind child --lead dev.sw --coworker femi.sw > /dev/null
pc alice.tm case open NH-2001 --kind carer-household --lead erin.sw --coworker dev.sw > /dev/null
pc sam.tm case open SC-3001 --kind child --lead tara.sw --summary "South only: not for north eyes" > /dev/null
pc alice.tm task new NC-1001 --kind statutory-visit --title "Statutory visit to the child" > /dev/null
pc alice.tm task new NC-1002 --kind general --title "Phone the school" --due "$(date -d '-2 days' +%Y-%m-%d)" > /dev/null
pc alice.tm task new NC-1002 --kind general --title "Book the family group conference" > /dev/null
pc alice.tm case event NH-2001 --type carer-approved --date "$today" > /dev/null
pc alice.tm leave request --member dev.sw --kind annual --from "$(date -d '+7 days' +%Y-%m-%d)" --to "$(date -d '+11 days' +%Y-%m-%d)" > /dev/null \
    || not_ok "dev.sw's leave entered by alice.tm"

start_web main --max-body 4096 --client-timeout 2 || { not_ok "podweb did not start"; finish; exit 1; }
start_web short --idle 2 || { not_ok "short podweb did not start"; finish; exit 1; }
start_web sso --sso-header X-Remote-User --sso-from 127.0.0.1 || not_ok "sso podweb did not start"
start_web ssox --sso-header X-Remote-User --sso-from 10.9.9.9 || not_ok "ssox podweb did not start"

"$PY" "$WEB_DIR/http_checks.py" "$URL_main" "$URL_short" "$WEB" "$T/passwords" "$URL_sso" "$URL_ssox"

# HTTPS: podweb serves TLS itself when given a certificate; cookies are Secure
if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tls.key" -out "$T/tls.crt" -days 1 \
        -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" > "$T/openssl.log" 2>&1 \
   && start_web tls --tls-cert "$T/tls.crt" --tls-key "$T/tls.key"; then
    "$PY" - "${URL_tls#http://}" "$T/tls.crt" <<'PYEOF'
import http.client, json, socket, ssl, sys
host, port = sys.argv[1].split(":")
ctx = ssl.create_default_context(cafile=sys.argv[2])
c = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=20)
c.request("POST", "/api/signin", json.dumps({"handle": "dev.sw", "password": "dev.sw password 1"}), {"Content-Type": "application/json"})
r = c.getresponse(); r.read()
cookie = r.getheader("Set-Cookie") or ""
print(("ok - " if r.status == 200 else "not ok - ") + "sign-in over HTTPS (%d)" % r.status)
print(("ok - " if "Secure" in cookie and "HttpOnly" in cookie else "not ok - ") + "over TLS the cookie is Secure (%s)" % cookie[cookie.find(";"):])
s = socket.create_connection((host, int(port)), timeout=10)
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
try:
    got = s.recv(100)
except (socket.timeout, ConnectionResetError):
    got = b""
print(("ok - " if not got.startswith(b"HTTP/1.1 200") else "not ok - ") + "plain HTTP to the HTTPS port serves nothing (%r)" % got[:12])
PYEOF
else
    not_ok "podweb with TLS: $(tail -3 "$T/openssl.log" "$T/web-tls.log" 2>/dev/null)"
fi

# The page in a real browser
if [ ! -x /usr/bin/chromium ]; then
    not_ok "browser tests: /usr/bin/chromium is missing (scripts/install-deps.sh installs it)"
elif ! (cd "$WEB_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error < /dev/null) > "$T/npm.log" 2>&1; then
    not_ok "browser tests: npm ci in tests/web: $(tail -5 "$T/npm.log")"
else
    PODWEB_URL="$URL_main" PODWEB_SHORT_URL="$URL_short" PODCTL="$PODCTL" PODD_EP="$EP" KEYS="$T/keys" \
    PODD_DB="$T/podd.db" SCREENSHOTS="${SCREENSHOTS:-}" \
        timeout 420 node --test --test-reporter=tap --test-timeout=360000 "$WEB_DIR/web.test.mjs" > "$T/browser.tap" 2>&1
    sed -nE 's/^(not )?ok [0-9]+ - (.*)$/\1ok - browser: \2/p' "$T/browser.tap"
    grep -q '^ok [0-9]' "$T/browser.tap" || not_ok "browser tests ran no test: $(tail -20 "$T/browser.tap")"
    # what went wrong, for the log: each failure's block, as comments
    grep -q '^not ok' "$T/browser.tap" && grep -E -A24 '^not ok' "$T/browser.tap" | sed 's/^/# /' | head -80
    # the Continuity page (issue 12), its own file
    PODWEB_URL="$URL_main" PODCTL="$PODCTL" PODD_EP="$EP" KEYS="$T/keys" \
        timeout 120 node --test --test-reporter=tap --test-timeout=100000 "$WEB_DIR/continuity.test.mjs" > "$T/browser-continuity.tap" 2>&1
    sed -nE 's/^(not )?ok [0-9]+ - (.*)$/\1ok - browser: \2/p' "$T/browser-continuity.tap"
    grep -q '^ok [0-9]' "$T/browser-continuity.tap" || not_ok "continuity browser test ran no test: $(tail -20 "$T/browser-continuity.tap")"
    grep -q '^not ok' "$T/browser-continuity.tap" && grep -E -A24 '^not ok' "$T/browser-continuity.tap" | sed 's/^/# /' | head -40
    # paged lists on the page (issue 13), their own file
    PODWEB_URL="$URL_main" PODCTL="$PODCTL" PODD_EP="$EP" KEYS="$T/keys" \
        timeout 120 node --test --test-reporter=tap --test-timeout=100000 "$WEB_DIR/paging.test.mjs" > "$T/browser-paging.tap" 2>&1
    sed -nE 's/^(not )?ok [0-9]+ - (.*)$/\1ok - browser: \2/p' "$T/browser-paging.tap"
    grep -q '^ok [0-9]' "$T/browser-paging.tap" || not_ok "paging browser test ran no test: $(tail -20 "$T/browser-paging.tap")"
    grep -q '^not ok' "$T/browser-paging.tap" && grep -E -A24 '^not ok' "$T/browser-paging.tap" | sed 's/^/# /' | head -40
fi

for name in main short sso ssox tls; do
    pid=$(eval echo "\$PID_$name")
    if kill -0 "$pid" 2>/dev/null; then ok "podweb ($name) still serving at the end"; else not_ok "podweb ($name) died: $(tail -5 "$T/web-$name.log")"; fi
    kill -TERM "$pid"; wait "$pid"; rc=$?
    check "podweb ($name) stops cleanly on SIGTERM (exit $rc)" [ "$rc" = 0 ]
    if grep -qE "ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:" "$T/web-$name.log"; then
        not_ok "sanitizer report in podweb ($name): $(grep -A20 -E 'Sanitizer|runtime error' "$T/web-$name.log" | head -30)"
    fi
done
WEB_PIDS=""
finish
