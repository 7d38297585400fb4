/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * daemon.h: process plumbing for dotgate (daemon.c): what OpenDKIM does
 * between parsing its configuration and calling smfi_main().
 *
 *	int daemon_detach(void);			fork into the background
 *	int daemon_write_pidfile(const char *path);
 *	int daemon_lookup_user(const char *spec, uid_t *uid, gid_t *gid);
 *	int daemon_drop_privileges(uid_t uid, gid_t gid, const char *user);
 *	int daemon_check_socket(const char *spec);	stale vs live unix socket
 *	int daemon_chmod_socket(const char *spec, mode_t mode, gid_t gid);
 *					socket_group (unless -1), socket_mode
 *	void daemon_wake_socket(const char *spec);
 *
 * Each returns 0, or a sysexits.h code after logging why.
 * daemon_wake_socket() connects to the milter's own socket and hangs up,
 * so that libmilter's listener, which looks at its stop flag only
 * between select(2) calls of 5 seconds, sees smfi_stop() at once; for
 * an inet socket bound to a host name it does nothing (no DNS on the way
 * out), and the stop takes up to those 5 seconds.
 */
#ifndef DG_DAEMON_H
#define DG_DAEMON_H

#include <sys/types.h>

int daemon_detach(void);
int daemon_write_pidfile(const char *path);
int daemon_lookup_user(const char *spec, uid_t *uid, gid_t *gid, char **user);
int daemon_drop_privileges(uid_t uid, gid_t gid, const char *user);
int daemon_check_socket(const char *spec);
int daemon_chmod_socket(const char *spec, mode_t mode, gid_t gid);
void daemon_wake_socket(const char *spec);

#endif
