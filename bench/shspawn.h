/*
 * shspawn.h - the one way bench/minloop.c and bench/bsq.c start a job:
 * posix_spawn /bin/sh -c CMD with no signal blocked, as a run's command
 * is started.  Returns 0 or posix_spawn's error number.
 */
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>

extern char **environ;

static int
sh_spawn(const char *cmd, pid_t *pid)
{
	char   *argv[] = { "sh", "-c", (char *)cmd, NULL };
	posix_spawnattr_t at;
	sigset_t none;
	int	rc;

	sigemptyset(&none);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setsigmask(&at, &none);
	rc = posix_spawn(pid, "/bin/sh", NULL, &at, argv, environ);
	posix_spawnattr_destroy(&at);
	return rc;
}
