# SPDX-License-Identifier: GPL-2.0
#
# dsr - Direct Server Return load balancer.
#
#   make            build dsr.ko (against KDIR) and dsradm
#   make check      host unit tests, then every selftest in a QEMU guest
#   make check-debug      the debug lane: a KASAN/lockdep/kmemleak kernel
#                         (built once per machine), CI's subset of selftests
#   make check-debug-all  the same with every selftest
#   make check-debug-lane the lane's own test: a deliberately broken build fails
#   make demo       three real servers behind a DR service, in a QEMU guest
#   make bench      packet-rate benchmark against a bridge hop, forwarding
#                   and IPVS (BENCH_ARGS=--quick for a short run)
#   make install    install dsr.ko (updates/), dsradm, dsr-realserver and
#                   the LB host's files (install-lbhost)
#   make dkms       the DKMS cycle an LB host goes through, and the module
#                   it installs run in a guest
#
# KDIR defaults to the newest Debian linux-headers-*-amd64 installed; the
# guest kernel the tests boot is the linux-image of the same version.

KDIR ?= $(shell tools/kdir.sh 2>/dev/null)
PREFIX ?= /usr/local
DESTDIR ?=
DEPMOD ?= depmod

export KDIR

MODULE_VERSION := $(shell sed -n 's/^\#define DSR_VERSION[[:space:]]*"\(.*\)"/\1/p' kmod/dsr.h)

.PHONY: all deps module dsradm check unit selftests demo bench install \
	check-debug check-debug-all check-debug-lane debug-kernel \
	install-module install-dsradm install-realserver install-lbhost \
	dkms sparse clean

all: module dsradm

deps:
	@tools/deps.sh --quiet

module: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

dsradm: deps
	$(MAKE) -C tools/dsradm

# Static analysis of the module: sparse over every object.
sparse: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 W=1 modules

check: all
	@tools/check.sh

# The debug lane builds its own dsr.ko (in .cache/debug/) against its kernel.
debug-kernel: deps
	tools/debug-kernel/build

check-debug: deps
	tools/debug-kernel/check

check-debug-all: deps
	tools/debug-kernel/check --all

check-debug-lane: deps
	tools/debug-kernel/test-lane

unit: dsradm
	@tools/check.sh --unit

selftests: all
	@selftests/run.sh

demo: all
	tools/vm/run -- tools/demo/demo.sh

bench: all
	tools/bench/bench $(BENCH_ARGS)

install: install-module install-dsradm install-realserver install-lbhost

# Into DESTDIR when set (packaging: depmod then runs on the target).
# Unsigned: the distribution's signing key is not on this machine.
install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates CONFIG_MODULE_SIG_ALL= \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	$(if $(DESTDIR),,$(DEPMOD) -a $$(tools/kdir.sh --release))

install-dsradm: dsradm
	$(MAKE) -C tools/dsradm install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# The real-server helper, for the hosts behind the load balancer.
install-realserver:
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 tools/realserver/dsr-realserver $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 tools/realserver/dsr-realserver.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/

# What a load-balancer host runs besides dsradm: the boot-time restore
# (dsr-rules, dsr.service with this PREFIX's paths, /etc/dsr), keepalived's
# hooks, the metrics for node_exporter (dsr-metrics and its timer) and the
# examples. Enabling the units is left to the operator:
# systemctl enable dsr.service dsr-metrics.timer.
SYSTEMDDIR ?= /etc/systemd/system
install-lbhost:
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)/etc/dsr \
		$(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(PREFIX)/share/doc/dsr/examples
	install -m 0755 tools/systemd/dsr-rules tools/keepalived/dsr-keepalived \
		tools/metrics/dsr-metrics $(DESTDIR)$(PREFIX)/sbin/
	for unit in tools/systemd/dsr.service tools/metrics/dsr-metrics.service; do \
		sed 's|@SBINDIR@|$(PREFIX)/sbin|g' $$unit.in \
			>$(DESTDIR)$(SYSTEMDDIR)/$${unit##*/} && \
		chmod 0644 $(DESTDIR)$(SYSTEMDDIR)/$${unit##*/} || exit 1; \
	done
	install -m 0644 tools/metrics/dsr-metrics.timer $(DESTDIR)$(SYSTEMDDIR)/
	install -m 0644 tools/keepalived/keepalived-dsr.conf \
		tools/keepalived/keepalived-mirror.conf \
		$(DESTDIR)$(PREFIX)/share/doc/dsr/examples/
	install -m 0644 tools/modprobe.d/dsr.conf \
		$(DESTDIR)$(PREFIX)/share/doc/dsr/examples/modprobe.d-dsr.conf

# The DKMS cycle against KDIR's kernel (add, build, install, uninstall),
# then the module DKMS installed loads in a guest, by insmod and by
# modprobe, and forwards.
dkms: deps
	tools/dkms.sh
	selftests/run.sh --module .cache/dkms/dsr.ko insmod.sh dr_basic.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/dsradm clean
	$(MAKE) -C selftests clean
