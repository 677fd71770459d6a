/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The counter line every ipi_fp case prints just before its result line,
 * for people and for the harness's verdict rules alike:
 *
 *   # IPI_FP_COUNTS CASE kind=K requested=N rounds=N bad=N errors=N window=N [KEY=N ...]
 *
 * kind=race:    a race the test forces open; window counts the rounds in
 *               which the test saw it open. A clean round without it proves
 *               nothing, so a verdict needs window == rounds.
 * kind=check:   no race involved (window is rounds).
 * kind=measure: a measurement; it cannot tell a fixed kernel from a broken
 *               one and is never evidence for a fix.
 * bad: rounds that showed the bug; errors: rounds the test could not
 * complete (then the case proves neither way).
 */
#ifndef IPI_FP_COUNTS_H
#define IPI_FP_COUNTS_H

#include "../kselftest.h"

#define IPI_FP_COUNTS_FMT \
	"IPI_FP_COUNTS %s kind=%s requested=%d rounds=%d bad=%d errors=%d window=%d%s\n"

struct ipi_fp_counts {
	const char *kind;
	int requested, rounds, bad, errors, window;
};

/* extra: "" or " key=value ..." to append (pin counts, leaks). */
static inline void ipi_fp_print_counts(const char *name,
				       const struct ipi_fp_counts *c,
				       const char *extra)
{
	ksft_print_msg(IPI_FP_COUNTS_FMT, name, c->kind, c->requested, c->rounds, c->bad,
		       c->errors, c->window, extra);
}

#endif /* IPI_FP_COUNTS_H */
