/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon.c: detaching, the pid file, the privilege drop and the unix
 * socket checks of the dotgate daemon (see daemon.h).  A stale socket
 * file left by a killed daemon is removed, but only after a connect()
 * proved that nothing listens on it: removing a live one would silently
 * steal a running filter's socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "util.h"

int daemon_detach(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
		return EX_OSERR;
	}
	/* The parent's part ends here, not in main(): _exit() leaves the
	 * stdio buffers and the atexit handlers to the child. */
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		log_msg(LOG_WARNING, "setsid: %s", strerror(errno));
	if (chdir("/") < 0)
		log_msg(LOG_WARNING, "chdir /: %s", strerror(errno));
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		(void)dup2(fd, 0);
		(void)dup2(fd, 1);
		(void)dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

int daemon_write_pidfile(const char *path)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fprintf(fp, "%ld\n", (long)getpid()) < 0 || fclose(fp) != 0) {
		log_msg(LOG_ERR, "cannot write pid file %s: %s", path, strerror(errno));
		return errno == EACCES || errno == EPERM ? EX_NOPERM : EX_CANTCREAT;
	}
	return 0;
}

int daemon_lookup_user(const char *spec, uid_t *uid, gid_t *gid, char **user)
{
	char *name = xstrdup(spec), *group = strchr(name, ':');
	struct passwd *pw;
	struct group *gr;

	if (group)
		*group++ = '\0';
	if ((pw = getpwnam(name)) == NULL) {
		log_msg(LOG_ERR, "-u: no such user \"%s\"", name);
		free(name);
		return EX_USAGE;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (group && (gr = getgrnam(group)) == NULL) {
		log_msg(LOG_ERR, "-u: no such group \"%s\"", group);
		free(name);
		return EX_USAGE;
	}
	if (group)
		*gid = gr->gr_gid;
	*user = name;
	return 0;
}

int daemon_drop_privileges(uid_t uid, gid_t gid, const char *user)
{
	if (getuid() != 0 && geteuid() != 0) {
		if (getuid() == uid)
			return 0;
		log_msg(LOG_ERR, "-u %s: must be started as root to change user", user);
		return EX_NOPERM;
	}
	if (initgroups(user, gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
		log_msg(LOG_ERR, "cannot become %s: %s", user, strerror(errno));
		return EX_NOPERM;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		log_msg(LOG_ERR, "privileges could be regained after dropping them");
		return EX_NOPERM;
	}
	return 0;
}

/* The path of a unix: or local: socket spec, NULL for inet. */
static const char *unix_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	return NULL;
}

int daemon_check_socket(const char *spec)
{
	const char *path = unix_path(spec);
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc;

	if (path == NULL || lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		log_msg(LOG_ERR, "%s exists and is not a socket; not removing it", path);
		return EX_UNAVAILABLE;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return EX_OSERR;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		log_msg(LOG_ERR, "socket %s is in use by a running filter", path);
		return EX_UNAVAILABLE;
	}
	if (unlink(path) < 0) {
		log_msg(LOG_ERR, "cannot remove stale socket %s: %s", path, strerror(errno));
		return errno == EACCES || errno == EPERM ? EX_NOPERM : EX_UNAVAILABLE;
	}
	log_msg(LOG_NOTICE, "removed stale socket %s", path);
	return 0;
}

int daemon_chmod_socket(const char *spec, mode_t mode, gid_t gid)
{
	const char *path = unix_path(spec);

	/* The group first: a socket is never open to the wrong group. */
	if (path && gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0) {
		log_msg(LOG_ERR, "chgrp %lu %s: %s (is the user dotgate runs as "
			"in that group?)", (unsigned long)gid, path, strerror(errno));
		return EX_NOPERM;
	}
	if (path && chmod(path, mode) < 0) {
		log_msg(LOG_ERR, "chmod %04o %s: %s", (unsigned)mode, path, strerror(errno));
		return EX_NOPERM;
	}
	return 0;
}

/* The loopback address that reaches a listener bound to any address. */
static void reachable(struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		struct in_addr *a = &((struct sockaddr_in *)ss)->sin_addr;

		if (a->s_addr == htonl(INADDR_ANY))
			a->s_addr = htonl(INADDR_LOOPBACK);
	} else if (ss->ss_family == AF_INET6) {
		struct in6_addr *a = &((struct sockaddr_in6 *)ss)->sin6_addr;

		if (IN6_IS_ADDR_UNSPECIFIED(a))
			*a = in6addr_loopback;
	}
}

/* spec (unix:/path, inet:PORT@HOST, inet6:PORT@HOST) as an address to
 * connect to; false when HOST is a name (no DNS on the way out). */
static bool wake_addr(const char *spec, struct sockaddr_storage *ss, socklen_t *len)
{
	const char *path = unix_path(spec), *at;
	struct addrinfo hints, *ai;
	char port[8];
	int v6 = strncmp(spec, "inet6:", 6) == 0;

	memset(ss, 0, sizeof(*ss));
	if (path != NULL) {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;

		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", path);
		*len = sizeof(*sun);
		return true;
	}
	if (!v6 && strncmp(spec, "inet:", 5) != 0)
		return false;
	snprintf(port, sizeof(port), "%.*s", (int)strcspn(spec + 5 + v6, "@"), spec + 5 + v6);
	at = strchr(spec, '@');
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = v6 ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(at ? at + 1 : (v6 ? "::" : "0.0.0.0"), port, &hints, &ai) != 0)
		return false;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	reachable(ss);
	return true;
}

void daemon_wake_socket(const char *spec)
{
	struct timeval tv = { 1, 0 };
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	if (!wake_addr(spec, &ss, &len))
		return;
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return;
	/* Never wait long: a listener that is gone refuses at once, and
	 * the connect deadline bounds the rest. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	(void)connect(fd, (struct sockaddr *)&ss, len);
	close(fd);
}
