// SPDX-License-Identifier: GPL-2.0
/*
 * Every FOLL_PIN pin taken must have been released: run after the other
 * ipi_fp tests, when no I/O is in flight, nr_foll_pin_acquired must equal
 * nr_foll_pin_released in /proc/vmstat. A direct I/O path that pins pages
 * and releases some of them with put_page() (or not at all) leaves the
 * two apart.
 */
#include <stdio.h>
#include <string.h>

#include "../kselftest.h"

#define TEST_NAME	"foll_pins_balanced_after_suite"

static long long vmstat_value(const char *key)
{
	char name[64];
	long long v, found = -1;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strcmp(name, key))
			found = v;
	fclose(f);
	return found;
}

int main(void)
{
	long long acquired, released;

	ksft_print_header();
	ksft_set_plan(1);
	acquired = vmstat_value("nr_foll_pin_acquired");
	released = vmstat_value("nr_foll_pin_released");
	if (acquired < 0 || released < 0) {
		printf("ok 1 %s # SKIP no pin counters in /proc/vmstat\n",
		       TEST_NAME);
		ksft_inc_xskip_cnt();
		ksft_finished();
	}
	ksft_print_msg("nr_foll_pin_acquired %lld, nr_foll_pin_released %lld\n",
		       acquired, released);
	ksft_test_result(acquired == released, TEST_NAME "\n");
	ksft_finished();
}
