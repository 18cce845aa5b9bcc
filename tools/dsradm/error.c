// SPDX-License-Identifier: GPL-2.0
/*
 * dsradm - error reporting: always exactly one line, "dsradm: <message>".
 *
 * For a kernel rejection the extended ACK text is the message; without
 * one, say what failed and why (strerror).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "dsradm.h"
#include "nl.h"

FILE *dsradm_in;
FILE *dsradm_out;
FILE *dsradm_err;
unsigned int dsradm_lineno;

static void __attribute__((format(printf, 2, 0)))
vmsg(const char *kind, const char *fmt, va_list ap)
{
	FILE *f = dsradm_err ? dsradm_err : stderr;

	fputs("dsradm: ", f);
	if (dsradm_lineno)
		fprintf(f, "line %u: ", dsradm_lineno);
	fputs(kind, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

void errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void warnf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

/* Report a failed kernel operation; returns the exit code to use. */
int kernel_error(const struct nl *nl, int err, const char *fmt, ...)
{
	const char *ext = nl ? nl_ext_msg(nl) : "";
	char what[256];
	va_list ap;

	if (err < 0 && err != INT_MIN)
		err = -err;
	if (err == EPERM) {
		errorf("permission denied: CAP_NET_ADMIN is required");
		return EXIT_KERNEL;
	}
	if (*ext) {
		errorf("%s", ext);
		return EXIT_KERNEL;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (err == EBADMSG)
		errorf("%s: malformed reply from the kernel", what);
	else if (err == ESRCH)	/* the module's (and IPVS's) "no such object" */
		errorf("%s: not found", what);
	else
		errorf("%s: %s", what, strerror(err));
	return EXIT_KERNEL;
}
