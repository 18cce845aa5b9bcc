// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: arbitrary bytes as what an operator types. The first
 * line is split at blanks into a command line for dsradm_run(); the rest is
 * standard input, which "-R" and "-R --sync" read as saved rules. Behind
 * the netlink layer is the fake kernel of the unit tests, so that commands
 * that pass the parser go on into the restore, sync and listing code.
 *
 * dsradm must never crash, leak or read out of bounds, and must exit with
 * one of its documented codes: 0, 2 (usage) or 255 (kernel).
 *
 *   make -C tools/dsradm fuzz
 *   tools/dsradm/tests/fuzz_args -max_len=4096 tools/dsradm/tests/args-seeds
 */
#include <stdlib.h>
#include <string.h>

#include "dsradm.h"
#include "fake_kernel.h"

#define ARGS_MAX	32

/* --rate pauses a second; not here. */
static void no_pause(unsigned int ms)
{
	(void)ms;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	char *text, *nl, *tok, *save, *argv[ARGS_MAX + 2];
	const char *rest = "";
	int argc = 0, rc;
	FILE *in;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	/* Text, as a terminal or a file gives it: a NUL ends it. */
	text = strndup((const char *)data, size);
	if (!text)
		return 0;
	nl = strchr(text, '\n');
	if (nl) {
		*nl = '\0';
		rest = nl + 1;
	}
	argv[argc++] = "dsradm";
	for (tok = strtok_r(text, " \t", &save); tok && argc <= ARGS_MAX;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;

	fake_reset();
	dsradm_nl_open = fake_nl_open;
	dsradm_pause_ms = no_pause;
	in = fmemopen((void *)rest, strlen(rest) + 1, "r");
	if (!in) {
		free(text);
		return 0;
	}
	dsradm_in = in;
	dsradm_out = devnull;
	dsradm_err = devnull;
	rc = dsradm_run(argc, argv);
	if (rc != EXIT_OK && rc != EXIT_USAGE && rc != EXIT_KERNEL)
		abort();
	fclose(in);
	free(text);
	return 0;
}
