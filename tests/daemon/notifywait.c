/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * notifywait.c: systemd's end of sd_notify(3), for the Type=notify test
 * (tests/daemon/notify.sh) on machines where systemd is not PID 1.
 *
 *	notifywait NOTIFY_SOCKET WATCHED_SOCKET
 *
 * Binds a datagram socket at NOTIFY_SOCKET and prints each message it
 * receives as one line, with its newlines turned into blanks, followed
 * by " socket=yes" when WATCHED_SOCKET (the milter socket) exists as a
 * socket at that moment and " socket=no" otherwise: READY=1 must come
 * only once the MTA can connect.  Exits after STOPPING=1, or after 30 s
 * without a message.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char buf[4096];
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: notifywait NOTIFY_SOCKET WATCHED_SOCKET\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	(void)unlink(argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("notifywait: socket");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		struct stat st;
		ssize_t n;

		if (poll(&p, 1, 30000) <= 0)
			return 1;
		if ((n = recv(fd, buf, sizeof(buf) - 1, 0)) < 0)
			return 1;
		buf[n] = '\0';
		for (char *c = buf; *c; c++)
			if (*c == '\n')
				*c = ' ';
		printf("%s socket=%s\n", buf, stat(argv[2], &st) == 0 &&
		       S_ISSOCK(st.st_mode) ? "yes" : "no");
		if (strstr(buf, "STOPPING=1") != NULL)
			return 0;
	}
}
