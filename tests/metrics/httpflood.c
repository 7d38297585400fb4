/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * httpflood.c: a hostile HTTP client for the metrics endpoint test
 * (tests/metrics/http.sh).  Two modes:
 *
 *   httpflood HOST PORT send FILE
 *	connects, writes FILE's bytes as they are (a request line or header
 *	block nobody should send), half-closes, and prints the first line of
 *	the reply ("HTTP/1.1 400 Bad Request") or "closed" when the server
 *	hung up without one.  Exit 0 unless the connection itself failed.
 *
 *   httpflood HOST PORT idle N SECONDS [PARTIAL]
 *	opens N connections, writes PARTIAL (default nothing) on each, keeps
 *	them open SECONDS seconds and prints
 *	"opened A refused R pending P closed C": connections made, refused
 *	at connect, still unanswered after 3 s (the server's listen backlog
 *	is full), and closed by the server before the end.  Exit 0.
 *
 * IPv4 literals only: the tests talk to 127.0.0.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int dial(const char *host, const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd;

	sa.sin_port = htons((unsigned short)atoi(port));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads up to the first newline within 5 s; "closed" if none came. */
static void print_status(int fd)
{
	char line[256];
	size_t n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (n < sizeof line - 1 && poll(&p, 1, 5000) > 0) {
		ssize_t r = read(fd, line + n, 1);

		if (r <= 0 || line[n] == '\n')
			break;
		n++;
	}
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	line[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (line[i] < ' ' || line[i] > '~')
			line[i] = '?';
	printf("%s\n", n > 0 ? line : "closed");
}

static int send_file(const char *host, const char *port, const char *path)
{
	char buf[65536];
	FILE *f = fopen(path, "rb");
	int fd = dial(host, port);
	size_t n;

	if (f == NULL || fd < 0) {
		fprintf(stderr, "httpflood: %s: cannot open or connect\n", path);
		return 1;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		if (write(fd, buf, n) < 0)
			break;	/* the server may hang up mid-request */
	fclose(f);
	shutdown(fd, SHUT_WR);
	print_status(fd);
	close(fd);
	return 0;
}

/* A connection the server closed shows as readable with 0 bytes or RST. */
static int server_closed(int fd)
{
	char c;
	ssize_t r = recv(fd, &c, 1, MSG_DONTWAIT);

	return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Starts a non-blocking connect; 1 when it completed, 0 when it is still
 * pending (a full listen backlog), -1 when it was refused.
 */
static int start(const char *host, const char *port, int *fdp)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	*fdp = fd;
	sa.sin_port = htons((unsigned short)atoi(port));
	if (fd < 0 || inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		return 1;
	return errno == EINPROGRESS ? 0 : -1;
}

/*
 * Waits for a pending connect until DEADLINE (CLOCK_MONOTONIC ms), so all
 * of them share one 3 s wait; 1 done, 0 still pending, -1 failed.
 */
static int finish(int fd, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	long long left = deadline - now_ms();
	int err = 0;
	socklen_t len = sizeof err;

	if (poll(&p, 1, left > 0 ? (int)left : 0) <= 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
		return -1;
	return 1;
}

static int idle(const char *host, const char *port, int n, int secs,
		const char *partial)
{
	int *fds = calloc((size_t)n, sizeof *fds);
	int *st = calloc((size_t)n, sizeof *st);
	int opened = 0, refused = 0, pending = 0, closed = 0;
	long long deadline = now_ms() + 3000;

	if (fds == NULL || st == NULL)
		return 1;
	for (int i = 0; i < n; i++)
		st[i] = start(host, port, &fds[i]);
	for (int i = 0; i < n; i++) {
		if (st[i] == 0)
			st[i] = finish(fds[i], deadline);
		opened += st[i] == 1;
		refused += st[i] == -1;
		pending += st[i] == 0;
		if (st[i] == 1 && *partial != '\0' &&
		    write(fds[i], partial, strlen(partial)) < 0)
			continue;	/* counted as closed below */
	}
	sleep((unsigned)secs);
	for (int i = 0; i < n; i++) {
		if (st[i] == 1)
			closed += server_closed(fds[i]);
		if (fds[i] >= 0)
			close(fds[i]);
	}
	printf("opened %d refused %d pending %d closed %d\n",
	       opened, refused, pending, closed);
	free(fds);
	free(st);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 5 && strcmp(argv[3], "send") == 0)
		return send_file(argv[1], argv[2], argv[4]);
	if ((argc == 6 || argc == 7) && strcmp(argv[3], "idle") == 0)
		return idle(argv[1], argv[2], atoi(argv[4]), atoi(argv[5]),
			    argc == 7 ? argv[6] : "");
	fprintf(stderr, "usage: httpflood HOST PORT send FILE\n"
		"       httpflood HOST PORT idle N SECONDS [PARTIAL]\n");
	return 2;
}
