/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading the ipi_fp_icr module (icr_inject/) and reading its results,
 * which are module parameters: shared by icr_nested_ipi (the injection
 * rounds and the storm) and cost (the IPI path timed with rounds=0).
 */
#ifndef IPI_FP_ICR_MODULE_H
#define IPI_FP_ICR_MODULE_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../kselftest.h"

#define MODULE_NAME	"ipi_fp_icr"

static inline long read_param(const char *name)
{
	char path[128], buf[64];
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s",
		 MODULE_NAME, name);
	f = fopen(path, "r");
	if (!f)
		ksft_exit_fail_msg("%s: %s\n", path, strerror(errno));
	if (fgets(buf, sizeof(buf), f))
		val = strtol(buf, NULL, 10);
	fclose(f);
	return val;
}

static inline void read_string_param(const char *name, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s",
		 MODULE_NAME, name);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static inline int load_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, params, 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

#endif /* IPI_FP_ICR_MODULE_H */
