# sluice - plain make.  `make`, `make check`, `make demo`, `make install`.
# SAN=1 builds everything with -fsanitize=address,undefined.

# Where `make install` puts things (DESTDIR is prepended to each):
# programs for users in BINDIR, sluice-agent and sluice-dispatch (section 8)
# in SBINDIR, man pages in MANDIR, the example configuration in ETCDIR,
# systemd units, sysusers.d and tmpfiles.d entries under LIBDIR, the cron
# files and the bash completion under DATADIR.  The programs read
# SYSCONFDIR/sluice/sluice.ini, and sluice finds sluice-agent and
# sluice-dispatch in SBINDIR, so set those when building too.
PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
DATADIR	?= $(PREFIX)/share
MANDIR	?= $(DATADIR)/man
LIBDIR	?= $(PREFIX)/lib
SYSCONFDIR ?= /etc
ETCDIR	?= $(SYSCONFDIR)/sluice
UNITDIR	?= $(LIBDIR)/systemd/system
SYSUSERSDIR ?= $(LIBDIR)/sysusers.d
TMPFILESDIR ?= $(LIBDIR)/tmpfiles.d
EXAMPLEDIR ?= $(DATADIR)/sluice
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions

# CFLAGS, CPPFLAGS and LDFLAGS are the builder's (Debian's hardening flags:
# dpkg-buildflags); what sluice itself needs is in SL_CFLAGS and
# SL_CPPFLAGS, which every compile and link below adds to them.
# WERROR= builds without -Werror (a newer compiler's new warnings).
CC	?= cc
CFLAGS	?= -O2 -g
WERROR	?= -Werror
SL_CFLAGS = -std=c11 -Wall -Wextra $(WERROR)
SL_CPPFLAGS = -D_GNU_SOURCE -Ilib -DSL_SYSCONFDIR='"$(SYSCONFDIR)"' \
	  -DSL_SBINDIR='"$(SBINDIR)"'
ALL_CFLAGS = $(SL_CPPFLAGS) $(CPPFLAGS) $(SL_CFLAGS) $(CFLAGS)
# The two small libraries are linked in (their .a is in the same Debian
# -dev packages): each shared library costs every exec about nine system
# calls of the dynamic loader (open, read, fstat, four mmaps, close...),
# and `sluice submit` is an exec a run.  LDLIBS="-liniparser
# -linotifytools" links them shared, and so does a system without both .a
# files (the compiler then names them without a directory).
SL_NO_A	!= for l in iniparser inotifytools; do \
	    [ "$$($(CC) -print-file-name=lib$$l.a)" = lib$$l.a ] && echo $$l; \
	  done; true
LDLIBS	?= $(if $(SL_NO_A),-liniparser -linotifytools,-Wl,-Bstatic \
	  -liniparser -linotifytools -Wl,-Bdynamic)
ifeq ($(SAN),1)
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
endif

LIBOBJ	= lib/agent.o lib/alert.o lib/buf.o lib/claim.o lib/clock.o lib/config.o lib/dirfd.o lib/dispatch.o lib/fsop.o lib/ids.o lib/ini.o lib/journal.o lib/json.o lib/lease.o lib/logcap.o lib/pretty.o lib/cron.o lib/deploy.o lib/end.o lib/endword.o \
	  lib/log.o lib/names.o lib/notify.o lib/opt.o lib/perm.o lib/progress.o lib/pool.o lib/run.o lib/runfile.o lib/sched.o lib/slot.o lib/status.o lib/spool.o lib/supervise.o lib/table.o \
	  lib/uuid.o lib/why.o
PROGS	= bin/sluice bin/sluice-agent bin/sluice-dispatch
MAN1	= man/sluice.1 man/sluice-work-pool.1 man/sluice-work-queue.1 man/sluice-deployment.1 \
	  man/sluice-submit.1 man/sluice-flow-run.1 man/sluice-status.1
MAN5	= man/sluice.ini.5 man/sluice-run.5
MAN8	= man/sluice-agent.8 man/sluice-dispatch.8
UNIT	= tests/unit/check_sluice
TESTPROGS = tests/claimer tests/chaos/sampler

# Debian packages: build, test, demo.
DEPS	= gcc make pkg-config libiniparser-dev libinotifytools0-dev check mandoc
# and for the tests: python3 (the end-to-end tests' checks), chromium (a
# headless screenshot of sluice status --html), strace (which files a
# command reads, which execs a run's start makes), and the
# two-host tests' rig (../shared/netfs, its README): its sshfs backend, and
# its nfs backend (nfs-ganesha with its VFS FSAL, rpcbind; fuse-nfs, which
# the rig builds from source, needs libnfs and FUSE 2)
DEPS_TESTS = python3 sshfs openssh-server openssh-client fuse3 iproute2 util-linux \
	  nfs-ganesha nfs-ganesha-vfs rpcbind libnfs-dev libfuse-dev libc6-dev \
	  chromium python3-prometheus-client strace

all: $(PROGS)

lib/libsluice.a: $(LIBOBJ)
	$(AR) rcs $@ $(LIBOBJ)

$(LIBOBJ): lib/sluice.h

lib/%.o: lib/%.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

bin/%: bin/%.c lib/libsluice.a lib/sluice.h
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) $(NOW) -o $@ $< lib/libsluice.a $(LDLIBS)

# The agent and the dispatcher bind every symbol at their start, once, and
# keep the table read-only (full RELRO): every run's starter, supervisor
# and recorder is a fork of theirs, and each used to resolve the calls it
# made first through the dynamic linker and write the table, a copied page
# (bench: 20 page faults a run fewer, 7 % less CPU in a drain).  Not
# `sluice', whose short-lived commands call a few of its functions.
bin/sluice-agent bin/sluice-dispatch: NOW = -Wl,-z,now -Wl,-z,relro

# sluice: main and the command table in bin/sluice.c, the command families
# in bin/cmd/ (one file each, as git's builtin/)
CMDSRC	= $(wildcard bin/cmd/*.c)
bin/sluice: bin/sluice.c $(CMDSRC) bin/cmd/cmd.h lib/libsluice.a lib/sluice.h
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ bin/sluice.c $(CMDSRC) \
	    lib/libsluice.a $(LDLIBS)

tests/claimer: tests/claimer.c lib/libsluice.a lib/sluice.h
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/claimer.c lib/libsluice.a $(LDLIBS)

tests/chaos/sampler: tests/chaos/sampler.c
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/chaos/sampler.c

bench/mkruns: bench/mkruns.c lib/libsluice.a lib/sluice.h
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ bench/mkruns.c lib/libsluice.a $(LDLIBS)

bench/minloop: bench/minloop.c bench/shspawn.h
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ bench/minloop.c

bench/bsq: bench/bsq.c bench/shspawn.h
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ bench/bsq.c

bench/starttick: bench/starttick.c lib/libsluice.a lib/sluice.h
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ bench/starttick.c lib/libsluice.a $(LDLIBS)

# bench: timing claims are benchmarks, never timed asserts in tests.  Not
# run by CI; compare.sh installs its anchors when missing (bench-deps does
# only that, as deps does); netfs.sh (two hosts, the netfs rig: root,
# /dev/fuse, the rig's packages) installs nothing and skips a backend,
# saying why, when the rig cannot run it
BENCH_DEPS = beanstalkd task-spooler nq strace time
bench: all bench/mkruns bench/minloop bench/bsq bench/starttick
	./bench/starttick 3000
	./bench/dispatch.sh
	./bench/scale.sh
	./bench/agent.sh
	./bench/compare.sh
	./bench/calls.sh
	./bench/netfs.sh

bench-deps:
	@$(MAKE) --no-print-directory deps DEPS="$(BENCH_DEPS)" DEPS_TESTS=

UNITSRC	= $(wildcard tests/unit/test_*.c) tests/unit/check_sluice.c
$(UNIT): $(UNITSRC) tests/unit/tests.h lib/libsluice.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(UNITSRC) lib/libsluice.a $(LDLIBS) \
	    $$(pkg-config --libs check)

# deps: install what is missing from Debian (sudo when not root).  No
# service starts during the install (nfs-ganesha, rpcbind and sshd would,
# on the machine's own network): a policy-rc.d that says no (exit 101) is
# put in place for the install when the machine has none, and removed after.
deps:
	@missing=""; for p in $(DEPS) $(DEPS_TESTS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || \
	    missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    echo "make deps: installing$$missing with apt-get"; \
	    sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	    prc=/usr/sbin/policy-rc.d; made=""; \
	    if [ ! -e $$prc ]; then \
	        printf '#!/bin/sh\n# make deps: no service starts during its install\nexit 101\n' | \
	            $$sudo tee $$prc >/dev/null && $$sudo chmod 755 $$prc && made=1; fi; \
	    $$sudo apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq \
	        -o DPkg::Lock::Timeout=600 --no-install-recommends $$missing; rc=$$?; \
	    [ -z "$$made" ] || $$sudo rm -f $$prc; exit $$rc; \
	else echo "make deps: all of $(DEPS) $(DEPS_TESTS) installed"; fi

# ---- fuzzing (tests/fuzz/, README "Fuzzing"): clang's libFuzzer with
# ASan and UBSan, over lib sources compiled by clang in tests/fuzz/obj/ (the
# gcc objects are untouched).  clang is needed only here.
FUZZ_CC	= clang
FUZZ_DEPS = clang libclang-rt-14-dev
FUZZ_SECONDS ?= 60
FUZZ_CI_SECONDS = 20
FUZZ_CFLAGS = -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Ilib \
	  -fsanitize=address,undefined -fno-sanitize-recover=all \
	  -fno-omit-frame-pointer
FUZZ_LIBOBJ = $(patsubst lib/%.o,tests/fuzz/obj/%.o,$(LIBOBJ))
FUZZERS	= runfile names cron argv pretty endword exit
FUZZ_BIN = $(FUZZERS:%=tests/fuzz/fuzz_%)

tests/fuzz/obj/%.o: lib/%.c lib/sluice.h
	@mkdir -p tests/fuzz/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIBOBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIBOBJ) \
	    $(LDLIBS)

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEPS="$(FUZZ_DEPS)"

# make fuzz FUZZ_SECONDS=N: each harness for N seconds (default 60)
fuzz: fuzz-deps
	$(MAKE) $(FUZZ_BIN)
	./tests/fuzz/run $(FUZZ_SECONDS) $(FUZZERS)

# what CI runs: each harness for 20 s, about 3 minutes in all with the build
fuzz-ci:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_CI_SECONDS)

# check: every test.  The two-host tests (tests/e2e/netfs_*.sh) run on the
# rig's sshfs backend and, in smaller rounds, on its nfs backend
# (netfs_*_nfs.sh); check-long runs the nfs rounds at the full sizes.
check: deps
	$(MAKE) test

# test: every test, installing nothing (a package build runs this one)
test:
	$(MAKE) all $(UNIT) $(TESTPROGS)
	./tests/run-tests

# chaos: the kill -9 campaign, tests/chaos/chaos.sh (>= 10,000 runs and
# 1,000 kills; CHAOS_RUNS, CHAOS_KILLS, CHAOS_SECONDS... size it);
# chaos-short: the few-minute one that `make check` runs
# (tests/e2e/chaos_short.sh); chaos-2host: agents on both hosts of the
# netfs rig (NETFS_BACKEND=nfs for NFS), under flock /tmp/netfs-rig.lock
chaos: all tests/chaos/sampler
	./tests/chaos/chaos.sh

chaos-short: all tests/chaos/sampler
	./tests/run-tests chaos_short

chaos-2host: all tests/chaos/sampler
	./tests/chaos/two-host.sh
check-long: deps
	$(MAKE) all $(UNIT) $(TESTPROGS)
	NETFS_LONG=1 SLUICE_TEST_TIMEOUT=7200 NETFS_LOCK_WAIT=3600 ./tests/run-tests

lint-man:
	mandoc -Tlint -W warning $(MAN1) $(MAN5) $(MAN8)

demo: deps
	$(MAKE) all
	./etc/demo.sh

# etc/*.in are installed with the install paths in them
SUBST	= sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
	  -e 's|@ETCDIR@|$(ETCDIR)|g'

UNITS	= sluice-agent.service sluice-agent@.service sluice-dispatch.service \
	  sluice-dispatch-once.service sluice-dispatch.timer
CRONS	= sluice-agent.cron sluice-dispatch.cron

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(ETCDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	    $(DESTDIR)$(EXAMPLEDIR)
	install -m 755 bin/sluice $(DESTDIR)$(BINDIR)
	install -m 755 bin/sluice-agent bin/sluice-dispatch $(DESTDIR)$(SBINDIR)
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5
	install -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8
	install -m 644 etc/sluice.ini $(DESTDIR)$(ETCDIR)/sluice.ini.example
	for f in $(UNITS); do $(SUBST) etc/$$f.in >$(DESTDIR)$(UNITDIR)/$$f && \
	    chmod 644 $(DESTDIR)$(UNITDIR)/$$f || exit 1; done
	for f in $(CRONS); do $(SUBST) etc/$$f.in >$(DESTDIR)$(EXAMPLEDIR)/$$f && \
	    chmod 644 $(DESTDIR)$(EXAMPLEDIR)/$$f || exit 1; done
	$(SUBST) etc/sluice.sysusers.in >$(DESTDIR)$(SYSUSERSDIR)/sluice.conf
	$(SUBST) etc/sluice.tmpfiles.in >$(DESTDIR)$(TMPFILESDIR)/sluice.conf
	chmod 644 $(DESTDIR)$(SYSUSERSDIR)/sluice.conf \
	    $(DESTDIR)$(TMPFILESDIR)/sluice.conf
	if [ -f etc/sluice.bash-completion ]; then \
	    install -d $(DESTDIR)$(COMPLETIONDIR) && \
	    install -m 644 etc/sluice.bash-completion \
	        $(DESTDIR)$(COMPLETIONDIR)/sluice; fi

# uninstall: what install put there, and nothing else (ETCDIR's own
# sluice.ini, a spool, the service user stay)
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sluice $(DESTDIR)$(SBINDIR)/sluice-agent \
	    $(DESTDIR)$(SBINDIR)/sluice-dispatch
	rm -f $(MAN1:man/%=$(DESTDIR)$(MANDIR)/man1/%) \
	    $(MAN5:man/%=$(DESTDIR)$(MANDIR)/man5/%) \
	    $(MAN8:man/%=$(DESTDIR)$(MANDIR)/man8/%)
	rm -f $(DESTDIR)$(ETCDIR)/sluice.ini.example
	rm -f $(UNITS:%=$(DESTDIR)$(UNITDIR)/%)
	rm -f $(DESTDIR)$(SYSUSERSDIR)/sluice.conf \
	    $(DESTDIR)$(TMPFILESDIR)/sluice.conf
	rm -f $(CRONS:%=$(DESTDIR)$(EXAMPLEDIR)/%) \
	    $(DESTDIR)$(COMPLETIONDIR)/sluice
	-rmdir $(DESTDIR)$(EXAMPLEDIR) $(DESTDIR)$(ETCDIR) 2>/dev/null

clean:
	rm -f lib/*.o lib/libsluice.a $(PROGS) $(UNIT) $(TESTPROGS) bench/mkruns bench/minloop bench/bsq bench/starttick
	rm -rf tests/fuzz/obj $(FUZZ_BIN)

.PHONY: all deps check test check-long lint-man demo install uninstall clean bench bench-deps fuzz fuzz-ci fuzz-deps chaos chaos-short chaos-2host
