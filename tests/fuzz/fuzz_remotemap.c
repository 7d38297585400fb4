/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_remotemap.c: fuzz target for the replies of a socketmap or
 * tcp_table server (filter/maps/remotemap.c), which dotgate reads on a
 * milter thread at MAIL FROM.  The first input byte picks the protocol,
 * the rest is what the "server" sends, fed through a socket pair and
 * then closed.  Three keys are looked up as a MAIL FROM would: each
 * answer must be found/not found/failed, a found value a bounded
 * string, a failure a printable reason with the connection closed.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "remotemap.h"

#define FEED_MAX 65536			/* fits a socket buffer: no blocking */

static void check_answer(const struct remotemap_session *s, int rc,
			 const char *value)
{
	if (rc < -1 || rc > 1)
		fuzz_fail("remotemap_get returned %d", rc);
	if (rc == 1 && strlen(value) >= REMOTEMAP_VALUE_MAX)
		fuzz_fail("value of %zu octets", strlen(value));
	if (rc == -1) {
		if (s->err[0] == '\0' || s->fd != -1)
			fuzz_fail("a failure without a reason, or still connected");
		for (const char *p = s->err; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
				fuzz_fail("unprintable byte 0x%02x in \"%s\"",
					  (unsigned char)*p, s->err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "u+x@example.test", "u@", "@example.test" };
	const char *spec = size > 0 && (data[0] & 1) ? "tcp:127.0.0.1:9" :
			   "socketmap:unix:/nonexistent/map.sock:senders";
	struct mapspec *m;
	struct remotemap_session s;
	char err[256], value[REMOTEMAP_VALUE_MAX + 8];
	int sv[2];

	if (mapspec_parse(spec, 1000, &m, err, sizeof(err)) != 1)
		fuzz_fail("%s: %s", spec, err);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		fuzz_fail("socketpair failed");
	if (size > 1)
		(void)!write(sv[1], data + 1, size - 1 > FEED_MAX ? FEED_MAX : size - 1);
	(void)close(sv[1]);
	(void)fcntl(sv[0], F_SETFL, O_NONBLOCK);
	remotemap_session_init(&s, m);
	s.fd = sv[0];			/* as if connected to the server */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int rc = remotemap_get(&s, keys[i], value, sizeof(value));

		check_answer(&s, rc, value);
		if (rc < 0)
			break;		/* the next would connect for real */
	}
	remotemap_session_end(&s);
	mapspec_free(m);
	return 0;
}
