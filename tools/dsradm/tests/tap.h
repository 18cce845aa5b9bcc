/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP output for the dsradm host tests. */
#ifndef DSRADM_TAP_H
#define DSRADM_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

static void __attribute__((format(printf, 2, 3), unused))
tap_ok(int pass, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", pass ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!pass)
		tap_failed++;
	fflush(stdout);
}

#define ok(cond, ...)	tap_ok(!!(cond), __VA_ARGS__)

/* Show a mismatch as TAP diagnostics, line by line. */
static void __attribute__((unused))
tap_diag(const char *label, const char *text)
{
	const char *p = text;

	printf("# %s:\n", label);
	while (p && *p) {
		const char *nl = p;

		while (*nl && *nl != '\n')
			nl++;
		printf("#   |%.*s|\n", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

static int __attribute__((unused)) tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* DSRADM_TAP_H */
