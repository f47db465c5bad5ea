# podd - pod teams for children's social care. See README.md.
#   make            build podd, podctl and the self-test binary into build/
#   make run        install missing Debian packages, build, start podd on the demo config
#   make check      install, build with ASan/UBSan, run every test
#   make bench      benchmarks (figures and ratios, never pass/fail)
#   make install    PREFIX=/usr/local DESTDIR=
#   SAN=1           build with AddressSanitizer + UndefinedBehaviorSanitizer into build/san/

PREFIX  ?= /usr/local
DESTDIR ?=
PKGS    := libczmq libzmq sqlite3 jansson libical gmime-3.0 libesmtp-1.0 openssl
CC      ?= gcc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iproto -Idaemon -Iclients
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

$(BUILD)/%.o: %.c $(wildcard proto/*.h daemon/*.h clients/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(WARN) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/podd: $(BUILD)/daemon/main.o $(DAEMON_OBJ) $(PROTO_OBJ)
	$(CC) $(LDFLAGS) $(SANLD) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/podctl: $(BUILD)/clients/podctl.o $(CLIENT_OBJ) $(PROTO_OBJ)
	$(CC) $(LDFLAGS) $(SANLD) -o $@ $^ $(PKG_LIBS) -lm

$(BUILD)/podweb: $(BUILD)/clients/podweb.o $(WEB_OBJ) $(CLIENT_OBJ) $(PROTO_OBJ)
	$(CC) $(LDFLAGS) $(SANLD) -o $@ $^ $(PKG_LIBS) $(shell pkg-config --libs $(WEB_PKGS) 2>/dev/null) -lpthread -lm

$(BUILD)/podd_selftest: $(BUILD)/tests/selftest.o $(DAEMON_OBJ) $(CLIENT_OBJ) $(PROTO_OBJ)
	$(CC) $(LDFLAGS) $(SANLD) -o $@ $^ $(PKG_LIBS) -lm

# writes invites as .eml files and parses replies for tests/integration/60-invites.sh
$(BUILD)/tests/calendar_driver: $(BUILD)/tests/calendar_driver.o $(DAEMON_OBJ) $(PROTO_OBJ)
	$(CC) $(LDFLAGS) $(SANLD) -o $@ $^ $(PKG_LIBS) -lm

# drives the podd_mailer actor for tests/integration/50-mailer.sh
$(BUILD)/tests/mailer_driver: $(BUILD)/tests/mailer_driver.o $(DAEMON_OBJ) $(PROTO_OBJ)
	$(CC) $(LDFLAGS) $(SANLD) -o $@ $^ $(PKG_LIBS) -lm

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
