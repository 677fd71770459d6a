/* SPDX-License-Identifier: GPL-2.0 */
/*
 * null_blk devices of the test's own, made through configfs (mounting it
 * if it has to) and removed again: the only block devices the tests write
 * to besides their own NBD device, so that nothing of the system's is
 * touched. nullb_remove() and nullb_umount_configfs() make only
 * async-signal-safe calls: they also run from SIGTERM and SIGINT handlers.
 */
#ifndef IPI_FP_NULLB_H
#define IPI_FP_NULLB_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONFIGFS	"/sys/kernel/config"
#define NULLB_DIR	CONFIGFS "/nullb"

struct nullb {
	const char *name;	/* what the test calls it */
	bool memory_backed;	/* keeps what is written (else discards it) */
	char dir[96];		/* its configfs directory, once made */
	char power[112];	/* dir/power */
	char dev[32];		/* /dev/NAME, once powered on */
};

static bool nullb_mounted_configfs;

/* Write s to the sysfs or configfs file path: 0 or -1. */
static int sysfs_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return ret;
}

/* A configfs attribute of n: dir/attr = value. */
static int nullb_set(struct nullb *n, const char *attr, const char *value)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", n->dir, attr);
	return sysfs_write(path, value);
}

/*
 * Make n: a null_blk device of mib MiB with 4 KiB blocks, named
 * PREFIX_NAME_PID in configfs. On failure *why says what is missing;
 * nullb_remove() removes what was made.
 */
static int nullb_make(struct nullb *n, const char *prefix, const char *mib,
		      const char **why)
{
	char path[160], index[16] = "";
	struct stat st;
	FILE *f;

	if (access(NULLB_DIR, F_OK) &&
	    !mount("configfs", CONFIGFS, "configfs", 0, NULL))
		nullb_mounted_configfs = true;
	if (access(NULLB_DIR, W_OK)) {
		*why = "no null_blk configfs (needs BLK_DEV_NULL_BLK, CONFIGFS_FS and root)";
		return -1;
	}
	snprintf(n->dir, sizeof(n->dir), "%s/%s_%s_%d", NULLB_DIR, prefix,
		 n->name, (int)getpid());
	if (mkdir(n->dir, 0755)) {
		n->dir[0] = '\0';
		*why = "cannot make a null_blk device in " NULLB_DIR;
		return -1;
	}
	snprintf(n->power, sizeof(n->power), "%s/power", n->dir);
	if (nullb_set(n, "size", mib) || nullb_set(n, "blocksize", "4096") ||
	    nullb_set(n, "memory_backed", n->memory_backed ? "1" : "0") ||
	    sysfs_write(n->power, "1")) {
		*why = "cannot set up a null_blk device through configfs";
		return -1;
	}
	snprintf(path, sizeof(path), "%s/index", n->dir);
	f = fopen(path, "r");
	if (!f || !fgets(index, sizeof(index), f)) {
		if (f)
			fclose(f);
		*why = "a null_blk device has no index";
		return -1;
	}
	fclose(f);
	/* 6.1 and later name the disk after its configfs directory. */
	snprintf(n->dev, sizeof(n->dev), "/dev/%s", strrchr(n->dir, '/') + 1);
	if (stat(n->dev, &st) || !S_ISBLK(st.st_mode))
		snprintf(n->dev, sizeof(n->dev), "/dev/nullb%d", atoi(index));
	if (stat(n->dev, &st) || !S_ISBLK(st.st_mode)) {
		*why = "a null_blk device made through configfs has no /dev node";
		return -1;
	}
	return 0;
}

static void nullb_remove(struct nullb *n)
{
	if (!n->dir[0])
		return;
	sysfs_write(n->power, "0");
	rmdir(n->dir);
	n->dir[0] = '\0';
}

static void nullb_umount_configfs(void)
{
	if (nullb_mounted_configfs && !umount(CONFIGFS))
		nullb_mounted_configfs = false;
}

#endif /* IPI_FP_NULLB_H */
