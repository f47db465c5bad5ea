# podd - pod teams for children's social care. See README.md.
#   make            build podd, podctl and the self-test binary into build/
#   make run        install missing Debian packages, build, start podd on the demo config
#   make check      install, build with ASan/UBSan, run every test
#   make bench      benchmarks (figures and ratios, never pass/fail)
#   make fuzz       run each libFuzzer target FUZZ_TIME seconds (default 600), clang
#   make valgrind   run the integration tests with podd and podctl under valgrind
#   make simulate   a simulated year, pods vs individual caseloads, through a real podd
#   make profile    callgrind on the routing benchmark: top costs per durable task
#   make install    PREFIX=/usr/local DESTDIR=
#   SAN=1           build with AddressSanitizer + UndefinedBehaviorSanitizer into build/san/

PREFIX  ?= /usr/local
DESTDIR ?=
PKGS    := libczmq libzmq sqlite3 jansson libical gmime-3.0 libesmtp-1.0 openssl libsystemd
CC      ?= gcc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iproto -Idaemon -Iclients
# Debian's hardening flags, in every build (tests/integration/11-hardening.sh
# checks the binaries). FORTIFY needs optimisation: CFLAGS -O2, SAN -O1.
HARDEN_CFLAGS  := -fstack-protector-strong -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2 -fPIE
HARDEN_LDFLAGS := -pie -Wl,-z,relro,-z,now
WARN    += $(HARDEN_CFLAGS)
ifeq ($(SAN),1)
BUILD   := build/san
WARN    += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SANLD   := -fsanitize=address,undefined
else
BUILD   := build
endif

PROTO_SRC  := proto/podp.c
DAEMON_SRC := $(filter-out daemon/main.c,$(wildcard daemon/*.c))
CLIENT_SRC := $(filter-out clients/podctl.c,$(wildcard clients/*.c))

PROTO_OBJ  := $(PROTO_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(BUILD)/%.o)
CLIENT_OBJ := $(CLIENT_SRC:%.c=$(BUILD)/%.o)

BINS := $(BUILD)/podd $(BUILD)/podctl $(BUILD)/podd_selftest
TEST_BINS := $(BUILD)/tests/mailer_driver $(BUILD)/tests/calendar_driver

# podweb, the web client (clients/podweb.c, clients/web_*.c): its own link,
# with libmicrohttpd and libsodium; podctl and the self-test never get them
WEB_SRC    := $(wildcard clients/web_*.c)
CLIENT_SRC := $(filter-out clients/podweb.c $(WEB_SRC),$(CLIENT_SRC))
CLIENT_OBJ := $(CLIENT_SRC:%.c=$(BUILD)/%.o)
WEB_OBJ    := $(WEB_SRC:%.c=$(BUILD)/%.o)
WEB_PKGS   := libmicrohttpd libsodium
BINS       += $(BUILD)/podweb

.PHONY: all run check bench install clean deps
all: $(BINS) $(TEST_BINS)

# pkg-config is asked only when building, after deps are installed
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

$(BUILD)/%.o: %.c $(wildcard proto/*.h daemon/*.h clients/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/podd: $(BUILD)/daemon/main.o $(DAEMON_OBJ) $(PROTO_OBJ)
	$(CC) $(LDFLAGS) $(HARDEN_LDFLAGS) $(SANLD) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/podctl: $(BUILD)/clients/podctl.o $(CLIENT_OBJ) $(PROTO_OBJ)
	$(CC) $(LDFLAGS) $(HARDEN_LDFLAGS) $(SANLD) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/podweb: $(BUILD)/clients/podweb.o $(WEB_OBJ) $(CLIENT_OBJ) $(PROTO_OBJ)
	$(CC) $(LDFLAGS) $(SANLD) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs $(WEB_PKGS) 2>/dev/null) -lpthread -lm

$(BUILD)/podd_selftest: $(BUILD)/tests/selftest.o $(DAEMON_OBJ) $(CLIENT_OBJ) $(PROTO_OBJ)
	$(CC) $(LDFLAGS) $(HARDEN_LDFLAGS) $(SANLD) -o $@ $^ $(PKG_LIBS) -lm

# writes invites as .eml files and parses replies for tests/integration/60-invites.sh
$(BUILD)/tests/calendar_driver: $(BUILD)/tests/calendar_driver.o $(DAEMON_OBJ) $(PROTO_OBJ)
	$(CC) $(LDFLAGS) $(HARDEN_LDFLAGS) $(SANLD) -o $@ $^ $(PKG_LIBS) -lm

# drives the podd_mailer actor for tests/integration/50-mailer.sh
$(BUILD)/tests/mailer_driver: $(BUILD)/tests/mailer_driver.o $(DAEMON_OBJ) $(PROTO_OBJ)
	$(CC) $(LDFLAGS) $(HARDEN_LDFLAGS) $(SANLD) -o $@ $^ $(PKG_LIBS) -lm

deps:
	@scripts/install-deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

check: deps
	@$(MAKE) --no-print-directory SAN=1 all
	@tests/run.sh build/san

bench: deps
	@$(MAKE) --no-print-directory all
	@bench/run.sh build

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/share/doc/podd
	install -m 0755 $(BUILD)/podd $(BUILD)/podctl $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 docs/podctl.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 docs/podd.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 proto/PROTOCOL.md config/podd.conf $(DESTDIR)$(PREFIX)/share/doc/podd/
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/sysusers.d
	sed 's|/usr/local/|$(PREFIX)/|g' config/podd.service > $(DESTDIR)$(PREFIX)/lib/systemd/system/podd.service
	chmod 0644 $(DESTDIR)$(PREFIX)/lib/systemd/system/podd.service
	install -m 0644 config/podd.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/podd.conf

# podweb's figures (bench/web.sh), beside bench/run.sh's
.PHONY: bench-web
bench: bench-web
bench-web: deps
	@$(MAKE) --no-print-directory all
	@bench/web.sh build

# podweb: its binary, man page and the page's static files
.PHONY: install-web
install: install-web
install-web: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/share/podweb/web
	install -m 0755 $(BUILD)/podweb $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 docs/podweb.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 clients/web/*.html clients/web/*.css clients/web/*.js $(DESTDIR)$(PREFIX)/share/podweb/web/

clean:
	rm -rf build

# --- Fuzzing: libFuzzer targets in tests/fuzz/ built with clang, ASan and
# UBSan into build/fuzz/. FUZZ_LIB_SRC is what the targets link (a link
# error names a file to add). `make fuzz` runs each target FUZZ_TIME
# seconds on a scratch copy of its corpus (tests/fuzz/run.sh);
# `make fuzz-build` only builds them (tests/integration/96-fuzz-smoke.sh).
FUZZ_CC      ?= clang
FUZZ_CFLAGS  ?= -O1 -g
FUZZ_TIME    ?= 600
FUZZ_BUILD   := build/fuzz
FUZZ_TARGETS := podp config standards reply
FUZZ_WARN     = $(filter-out -O% -fsanitize=% -fno-sanitize-recover=%,$(WARN))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_LIB_SRC := proto/podp.c daemon/zpl.c daemon/config.c daemon/when.c daemon/standards.c \
                daemon/calendar.c daemon/message.c
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

$(FUZZ_BUILD)/%.o: %.c $(wildcard proto/*.h daemon/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(PKG_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/libpodd-fuzz.a: $(FUZZ_LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_BUILD)/libpodd-fuzz.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_TARGETS)
.SECONDARY: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%.o)

# --- valgrind: a plain debug build (-O1 -g, no sanitizers) in build/vg/,
# then the self-tests and integration tests with podd and podctl under
# valgrind (tests/valgrind.sh; VG_SCRIPTS picks scripts). Slow: not part
# of make check. valgrind is installed for this target only.
VG_SCRIPTS ?=
.PHONY: valgrind
valgrind:
	@scripts/install-deps.sh valgrind
	@$(MAKE) --no-print-directory BUILD=build/vg CFLAGS="-O1 -g" all
	@tests/valgrind.sh $(VG_SCRIPTS)

# --- The continuity simulator (sim/podsim.py): a year of 4 pods driven
# through a real podd on the test clock, twice (pods, individual
# caseloads); prints the side-by-side table and draws docs/continuity-sim.svg.
# SIM_ARGS adds options, e.g. SIM_ARGS="--seed 1".
SIM_ARGS ?=
.PHONY: simulate
simulate: deps
	@$(MAKE) --no-print-directory all
	@/usr/bin/python3 sim/podsim.py --build build --svg docs/continuity-sim.svg $(SIM_ARGS)

# --- Profile: podd under valgrind --tool=callgrind on the routing
# benchmark (bench/profile.sh): the functions that cost most per durable
# task, exclusive and inclusive. PROFILE_TASKS (2000) tasks.
.PHONY: profile
profile:
	@scripts/install-deps.sh valgrind
	@$(MAKE) --no-print-directory all
	@bench/profile.sh build
