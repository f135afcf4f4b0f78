/*
 * journal.c - the exit journal: where a warm exit recorder makes its exit
 * records durable with one fdatasync of a block it owns, instead of an
 * fsync of the new `exit` file and of its directory (spool-layout.md,
 * "The exit journal").
 *
 * The algorithm.  A warm recorder (supervise.c) lives for many runs.  At
 * its start it makes pools/P/journals/NAME, NAME = PID.START.NS.BOOT.HOST
 * (its pid, the pid's start time, its pid namespace, the boot id, the
 * host: who it is, as a lease says it), as J_SLOTS zeroed slots of
 * J_SLOT bytes, fsynced with its directory: from then on its blocks are
 * allocated and durable, and overwriting one changes data only.  For each
 * run it fsyncs the run's directory while the command starts (the run's
 * moves, never fsynced, must be durable before its record: supervise.c),
 * and when the command has ended writes `exit` as before, without fsync,
 * then puts the same record, after an "id = ID" line, in its next slot
 * with pwrite and fdatasync: a cache flush, no journal commit of the file
 * system (on this machine's ext4, 0.29 ms against 0.85 ms alone).
 * Before a slot is used a second time (the slots go round) syncfs()
 * makes every earlier `exit` file and every move of their runs durable,
 * so no record of the slot it overwrites is still needed.  Crash
 * detection that finds no whole `exit` for the attempt it ends (a power
 * cut lost it) looks in the pool's journals
 * (sl_journal_find), and so does the reader of a finished run's result
 * (end.c: `done/` is not fsynced, and may outlive `exit` in a power
 * cut).  A slot is 512 bytes, aligned: a sector, written whole or not at
 * all; a record cut short has no trailer, and reads as none.  Only on a
 * disk of this host's (sl_local_fs), where syncfs keeps its promise: on
 * NFS, FUSE or SMB records are fsynced as before.
 *
 * Who removes a journal: its recorder, when its keeper retires it (after
 * a syncfs); else the next warm recorder of its host that starts, if its
 * owner is dead and of this boot (after a syncfs: the dead one's `exit`
 * files are durable then), or if it is of an earlier boot and its last
 * write is older than J_KEEP seconds (crash detection has ended that
 * boot's runs long before).  Journals of other hosts are left to them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"

#define J_SLOT	512			/* a sector: a record, whole */
#define J_SLOTS	256			/* 128 KiB a journal */
#define J_KEEP	(7 * 86400L)		/* an earlier boot's, kept this long */
#define J_PRUNE	64			/* dead owners' removed at a time */
#define J_DIR	"journals"

static struct {
	int	fd;			/* our journal; -1: none */
	int	dfd;			/* journals/ */
	long	next;			/* slots written */
	char	name[NAME_MAX + 1];
} jn = { -1, -1, 0, "" };

/* pidns - the number N of this process's pid namespace "pid:[N]", or 0 */
static unsigned long long
pidns(void)
{
	char	ns[64];
	ssize_t	n;

	if ((n = readlink("/proc/self/ns/pid", ns, sizeof(ns) - 1)) <= 0)
		return 0;
	ns[n] = '\0';
	return strncmp(ns, "pid:[", 5) == 0 ? strtoull(ns + 5, NULL, 10) : 0;
}

/*
 * trusted - may journals/ (dfd) be believed?  A record ends a run as its
 * command's status says, so only the pool's makers may write there: the
 * directory is root's or the pool directory's owner's (powner), and
 * nobody else may write to it.  A user who may write the pool's directory
 * (a shared spool) and made journals/ first is not believed, and no
 * recorder journals there.  Its owner in *owner, for believed().
 */
static int
trusted(int dfd, uid_t powner, uid_t *owner)
{
	struct stat d;

	if (fstat(dfd, &d) < 0 || !S_ISDIR(d.st_mode) ||
	    (d.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    (d.st_uid != 0 && d.st_uid != powner))
		return 0;
	*owner = d.st_uid;
	return 1;
}

/* believed - is st, in a trusted journals/ of owner, a journal to read:
 * a plain file with one link, of root's or owner's, nobody else may
 * write? */
static int
believed(const struct stat *st, uid_t owner)
{
	return S_ISREG(st->st_mode) && st->st_nlink == 1 &&
	    (st->st_mode & (S_IWGRP | S_IWOTH)) == 0 &&
	    (st->st_uid == 0 || st->st_uid == owner);
}

/* listing - a stream over directory dfd, which stays ours; NULL if not */
static DIR *
listing(int dfd)
{
	DIR    *d;
	int	fd;

	if ((fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return NULL;
	if ((d = fdopendir(fd)) == NULL)
		close(fd);
	return d;
}

/*
 * owner - parse a journal's name: its pid, start, pid namespace, boot and
 * host; -1 if it is not one
 */
static int
owner(const char *name, long *pid, unsigned long long *start,
    unsigned long long *ns, char boot[64], const char **host)
{
	const char *p = name;
	char   *e;
	size_t	n;

	if (*p < '1' || *p > '9')
		return -1;
	*pid = strtol(p, &e, 10);
	if (*e != '.' || e[1] < '0' || e[1] > '9')
		return -1;
	*start = strtoull(e + 1, &e, 10);
	if (*e != '.' || e[1] < '0' || e[1] > '9')
		return -1;
	*ns = strtoull(e + 1, &e, 10);
	if (*e != '.')
		return -1;
	p = e + 1;
	if ((e = strchr(p, '.')) == NULL || (n = (size_t)(e - p)) == 0 ||
	    n >= 64 || e[1] == '\0')
		return -1;
	memcpy(boot, p, n);
	boot[n] = '\0';
	*host = e + 1;
	return 0;
}

/*
 * prune - remove this host's journals that nobody needs (above): a dead
 * owner's of this boot after one syncfs, an earlier boot's when old
 */
static void
prune(int dfd)
{
	DIR    *d;
	struct dirent *de;
	struct stat st;
	unsigned long long start, ns, myns = pidns();
	const char *host, *boot = sl_boot_id();
	char	b[64], (*dead)[NAME_MAX + 1] = NULL;
	long	pid;
	size_t	n = 0, i;

	if (boot[0] == '\0' || (d = listing(dfd)) == NULL)
		return;
	/* first every dead owner's name, then one syncfs, then the
	 * removals: an owner judged dead after a syncfs could have written
	 * its last `exit` after it */
	while ((de = readdir(d)) != NULL) {
		if (owner(de->d_name, &pid, &start, &ns, b, &host) < 0 ||
		    strcmp(host, sl_host()) != 0 ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (strcmp(b, boot) != 0) {
			/* an earlier boot's: its records were needed until
			 * crash detection ended that boot's runs */
			if (time(NULL) - st.st_mtime >= J_KEEP &&
			    unlinkat(dfd, de->d_name, 0) < 0 && errno != ENOENT)
				sl_log(SL_WARNING, "cannot remove the exit "
				    "journal %s of an earlier boot: %s",
				    de->d_name, strerror(errno));
			continue;
		}
		if (ns != myns || !sl_proc_dead(pid, start, boot) ||
		    n >= J_PRUNE)
			continue;	/* alive, not ours to judge, or later */
		if (dead == NULL)
			dead = sl_xmalloc(J_PRUNE * sizeof(*dead));
		snprintf(dead[n++], sizeof(dead[0]), "%s", de->d_name);
	}
	closedir(d);
	/* their records are needed until their `exit` files are durable:
	 * one syncfs makes every one so */
	if (n > 0 && syncfs(dfd) == 0)
		for (i = 0; i < n; i++)
			if (unlinkat(dfd, dead[i], 0) < 0 && errno != ENOENT)
				sl_log(SL_WARNING, "cannot remove the exit "
				    "journal %s of a dead recorder: %s",
				    dead[i], strerror(errno));
	free(dead);
}

/* jdir - journals/ of the pool whose directory is pd, opened (made if
 * mkdir, the pool's directory fsynced then), and the owner of the pool's
 * directory in *powner; -1 if none, or if mkdir and that fsync failed */
static int
jdir(const char *pd, int mkdir, uid_t *powner)
{
	struct stat st;
	int	pfd, dfd, made = 0;

	pfd = sl_open(pd, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0 || fstat(pfd, &st) < 0) {
		if (pfd >= 0)
			close(pfd);
		return -1;
	}
	*powner = st.st_uid;
	/* RACE: a mkdir retransmitted on NFS says EEXIST for our own, and
	 * another recorder may be making it now: we miss the notice below,
	 * nothing else, since every maker of a journal fsyncs the pool's
	 * directory, so that journals/ is durable before its journal */
	if (mkdir && mkdirat(pfd, J_DIR, 0755) == 0)
		made = 1;
	if (mkdir && fsync(pfd) < 0) {
		close(pfd);
		return -1;
	}
	dfd = openat(pfd, J_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	close(pfd);
	if (made)
		sl_log(SL_INFO, "made %s/%s: exit recorders of this pool now "
		    "make their records durable there (spool-layout.md, \"The "
		    "exit journal\"); crash detection by sluice before "
		    "2026-12-07 does not read it: run one version on every "
		    "host sharing this spool", pd, J_DIR);
	return dfd;
}

/*
 * sl_journal_open - make this process's exit journal in pool's
 * journals/ (see above): 0, or -1 (none: the caller fsyncs its records
 * as before)
 */
int
sl_journal_open(const struct sl_spool *sp, const char *pool)
{
	static const char zero[16384];
	unsigned long long start = sl_proc_start((long)getpid());
	size_t	i;
	uid_t	powner, owner;
	char   *pd;
	int	fd, dfd;

	if (jn.fd >= 0)
		return 0;
	/* who we are must be known, or a dead namesake's journal could
	 * take our name (prune), and syncfs must keep its promise: a disk
	 * of this host's (sl_local_fs).  On NFS, FUSE (sshfs, fuse-nfs),
	 * SMB, records are fsynced as before: syncfs may do nothing there
	 * (a FUSE server without it), and a fsync is a round trip anyway */
	if (start == 0 || sl_boot_id()[0] == '\0')
		return -1;
	pd = sl_place(sp, SL_PL_POOL, pool, NULL, (char *)NULL);
	if (!sl_local_fs(pd)) {
		free(pd);
		return -1;
	}
	dfd = jdir(pd, 1, &powner);
	free(pd);
	if (dfd < 0)
		return -1;
	if (!trusted(dfd, powner, &owner)) {
		sl_log(SL_WARNING, "pool %s: its %s/ is not root's nor the "
		    "pool's owner's, or others may write it: exit records are "
		    "fsynced, not journaled", pool, J_DIR);
		close(dfd);
		return -1;
	}
	prune(dfd);
	snprintf(jn.name, sizeof(jn.name), "%ld.%llu.%llu.%s.%s",
	    (long)getpid(), start, pidns(), sl_boot_id(), sl_host());
	/* a namesake (ours: pid, start, boot) is not removed: it would be
	 * no journal of ours, and we fsync instead */
	if ((fd = openat(dfd, jn.name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0644)) < 0) {
		close(dfd);
		return -1;
	}
	for (i = 0; i < (size_t)J_SLOT * J_SLOTS; i += sizeof(zero))
		if (sl_write_all(fd, zero, sizeof(zero)) < 0)
			break;
	if (i < (size_t)J_SLOT * J_SLOTS || fsync(fd) < 0 || fsync(dfd) < 0) {
		close(fd);
		(void)unlinkat(dfd, jn.name, 0);
		close(dfd);
		return -1;
	}
	jn.fd = fd;
	jn.dfd = dfd;
	jn.next = 0;
	return 0;
}

/* sl_journal_ready - has this process a journal to put records in? */
int
sl_journal_ready(void)
{
	return jn.fd >= 0;
}

/* drop - stop using the journal (a write failed), leaving the file: its
 * records may be needed, and prune removes it once we are dead */
static void
drop(void)
{
	close(jn.fd);
	close(jn.dfd);
	jn.fd = jn.dfd = -1;
}

/*
 * sl_journal_put - make the exit record rec (len bytes, sl_exit_fmt) of
 * run id durable in the next slot: 0, or -1 (the journal is dropped; the
 * caller makes the record durable by itself)
 */
int
sl_journal_put(const char *id, const char *rec, size_t len)
{
	static char slot[J_SLOT];
	int	n;

	if (jn.fd < 0)
		return -1;
	n = snprintf(slot, sizeof(slot), "id = %s\n", id);
	if (n < 0 || (size_t)n + len >= sizeof(slot))
		return -1;
	memcpy(slot + n, rec, len);
	memset(slot + n + len, 0, sizeof(slot) - (size_t)n - len);
	/* the slots went round: what the next one holds must be needed no
	 * more, so every `exit` recorded before is made durable */
	if (jn.next >= J_SLOTS && jn.next % J_SLOTS == 0 &&
	    syncfs(jn.fd) < 0) {
		drop();
		return -1;
	}
	if (pwrite(jn.fd, slot, sizeof(slot), (off_t)(jn.next % J_SLOTS) *
	    J_SLOT) != (ssize_t)sizeof(slot) || fdatasync(jn.fd) < 0) {
		drop();
		return -1;
	}
	jn.next++;
	return 0;
}

/*
 * sl_journal_close - the recorder retires: its records are needed no more
 * once syncfs made every `exit` durable, and the journal goes (left for
 * prune if that fails)
 */
void
sl_journal_close(void)
{
	if (jn.fd < 0)
		return;
	if (syncfs(jn.fd) == 0 && unlinkat(jn.dfd, jn.name, 0) < 0 &&
	    errno != ENOENT)
		sl_log(SL_WARNING, "cannot remove the exit journal %s: %s",
		    jn.name, strerror(errno));
	drop();
}

/* find - the record of id's attempt in journal fd, its text (after the
 * "id" line) into rec (len bytes); 0, or -1 */
static int
find(int fd, const char *id, long attempt, char *rec, size_t len)
{
	static char buf[J_SLOT * J_SLOTS];
	char	slot[J_SLOT + 1], head[8 + SL_UUID_LEN];
	ssize_t	n, at;
	size_t	hl, rl;
	int	status;

	hl = (size_t)snprintf(head, sizeof(head), "id = %s\n", id);
	if (hl >= sizeof(head))
		return -1;	/* no run's id */
	for (n = 0; n < (ssize_t)sizeof(buf); n += at)
		if ((at = read(fd, buf + n, sizeof(buf) - (size_t)n)) <= 0)
			break;
	for (at = 0; at + J_SLOT <= n; at += J_SLOT) {
		if (memcmp(buf + at, head, hl) != 0)
			continue;
		memcpy(slot, buf + at, J_SLOT);
		slot[J_SLOT] = '\0';
		rl = strlen(slot + hl);
		if (sl_exit_parse(slot + hl, attempt, &status, NULL, NULL,
		    NULL) == 0 && rl < len) {
			memcpy(rec, slot + hl, rl + 1);
			return 0;
		}
	}
	return -1;
}

/*
 * sl_journal_lookup - the exit record of attempt of run id in the
 * journals of the pool whose directory is pd, its text (sl_exit_parse
 * reads it) into rec (len bytes): 0, or -1 (none).  For the readers that
 * found no whole `exit`: crash detection (sl_journal_find), and a
 * finished run's result (end.c).  Every journal is read: a power cut lost
 * the lease that named the recorder, and this is rare.
 */
int
sl_journal_lookup(const char *pd, const char *id, long attempt, char *rec,
    size_t len)
{
	DIR    *d;
	struct dirent *de;
	struct stat st;
	uid_t	powner, owner;
	int	dfd, fd, rc = -1;

	if ((dfd = jdir(pd, 0, &powner)) < 0)
		return -1;
	if (!trusted(dfd, powner, &owner) || (d = listing(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	while (rc < 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		fd = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && believed(&st, owner))
			rc = find(fd, id, attempt, rec, len);
		close(fd);
	}
	closedir(d);
	close(dfd);
	return rc;
}

/*
 * sl_journal_find - the exit record of attempt of run id in pool's
 * journals: 0 (status and fenced, if not NULL, set), or -1 (none)
 */
int
sl_journal_find(const struct sl_spool *sp, const char *pool, const char *id,
    long attempt, int *status, long *fenced)
{
	char	rec[J_SLOT], *pd;
	int	rc;

	pd = sl_place(sp, SL_PL_POOL, pool, NULL, (char *)NULL);
	rc = sl_journal_lookup(pd, id, attempt, rec, sizeof(rec));
	free(pd);
	if (rc == 0)
		rc = sl_exit_parse(rec, attempt, status, fenced, NULL, NULL);
	return rc;
}
