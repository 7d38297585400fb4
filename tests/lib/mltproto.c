/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mltproto.c: the MTA side of the milter protocol (see mltproto.h), shared
 * by the load generator and the hostile-input tester.  It follows what
 * Postfix's milter8.c sends, so that a filter measured or attacked here
 * sees the same byte stream as behind a real MTA.
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include "mltproto.h"

/* Postfix 3.7's default milter_*_macros, indexed by enum mlt_stage. */
static const char *const default_macros[MLT_ST_COUNT] = {
	"j {daemon_name} {daemon_addr} v _",
	"{tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer}",
	"i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}",
	"i {rcpt_addr} {rcpt_host} {rcpt_mailer}",
	"i",
	"i",
	"i",
};

static int fail(struct mlt_conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return -1;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

/* Split "inet:PORT@HOST" and connect a TCP socket to it. */
static int open_inet(struct mlt_conn *c, const char *rest, int family)
{
	char port[16], host[256];
	const char *at = strchr(rest, '@');
	struct addrinfo hints, *res = NULL;
	int fd, one = 1, rc;

	if (at == NULL || (size_t)(at - rest) >= sizeof(port) ||
	    strlen(at + 1) >= sizeof(host))
		return fail(c, "bad inet socket spec: %s", rest);
	memcpy(port, rest, (size_t)(at - rest));
	port[at - rest] = '\0';
	strcpy(host, at + 1);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		return fail(c, "%s@%s: %s", port, host, gai_strerror(rc));
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
		rc = errno;
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return fail(c, "connect %s@%s: %s", port, host, strerror(rc));
	}
	freeaddrinfo(res);
	/* Postfix's milter stream writes whole commands; Nagle would only
	 * add delay between a command and its reply. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int open_unix(struct mlt_conn *c, const char *path)
{
	struct sockaddr_un sun;
	int fd, e;

	if (strlen(path) >= sizeof(sun.sun_path))
		return fail(c, "socket path too long: %s", path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(c, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		e = errno;
		close(fd);
		return fail(c, "connect %s: %s", path, strerror(e));
	}
	return fd;
}

int mlt_open(struct mlt_conn *c, const char *spec, int timeout_ms)
{
	struct timeval tv;
	int fd;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	if (strncmp(spec, "unix:", 5) == 0)
		fd = open_unix(c, spec + 5);
	else if (strncmp(spec, "local:", 6) == 0)
		fd = open_unix(c, spec + 6);
	else if (strncmp(spec, "inet:", 5) == 0)
		fd = open_inet(c, spec + 5, AF_INET);
	else if (strncmp(spec, "inet6:", 6) == 0)
		fd = open_inet(c, spec + 6, AF_INET6);
	else if (spec[0] == '/')
		fd = open_unix(c, spec);
	else
		return fail(c, "unknown socket type: %s", spec);
	if (fd < 0)
		return -1;
	/* Bound every read and write: a hung filter is a failure, not a hang. */
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		close(fd);
		return fail(c, "setsockopt: %s", strerror(errno));
	}
	c->fd = fd;
	return 0;
}

static int write_all(struct mlt_conn *c, struct iovec *iov, int n)
{
	ssize_t w;

	while (n > 0) {
		struct msghdr mh;

		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)n;
		w = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return fail(c, "write timeout");
			return fail(c, "write: %s", strerror(errno));
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int mlt_send2(struct mlt_conn *c, int cmd, const void *a, size_t alen,
	      const void *b, size_t blen)
{
	unsigned char hdr[5];
	struct iovec iov[3];
	int n = 1;

	if (alen + blen >= UINT32_MAX)
		return fail(c, "command too long");
	put32(hdr, (uint32_t)(alen + blen + 1));
	hdr[4] = (unsigned char)cmd;
	iov[0].iov_base = hdr;
	iov[0].iov_len = sizeof(hdr);
	if (alen > 0) {
		iov[n].iov_base = (void *)a;
		iov[n++].iov_len = alen;
	}
	if (blen > 0) {
		iov[n].iov_base = (void *)b;
		iov[n++].iov_len = blen;
	}
	return write_all(c, iov, n);
}

int mlt_send(struct mlt_conn *c, int cmd, const void *data, size_t len)
{
	return mlt_send2(c, cmd, data, len, NULL, 0);
}

int mlt_send_raw(struct mlt_conn *c, const void *data, size_t len)
{
	struct iovec iov;

	iov.iov_base = (void *)data;
	iov.iov_len = len;
	return write_all(c, &iov, 1);
}

/* Read exactly len bytes through the read-ahead buffer. */
static int read_exact(struct mlt_conn *c, unsigned char *dst, size_t len)
{
	ssize_t r;
	size_t take;

	while (len > 0) {
		if (c->inpos == c->inlen) {
			/* Large payloads go straight to the destination. */
			if (len >= sizeof(c->in))
				r = read(c->fd, dst, len);
			else
				r = read(c->fd, c->in, sizeof(c->in));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return fail(c, "read timeout");
			if (r < 0)
				return fail(c, "read: %s", strerror(errno));
			if (r == 0)
				return fail(c, "connection closed by filter");
			if (len >= sizeof(c->in)) {
				dst += r;
				len -= (size_t)r;
				continue;
			}
			c->inpos = 0;
			c->inlen = (size_t)r;
		}
		take = c->inlen - c->inpos;
		if (take > len)
			take = len;
		memcpy(dst, c->in + c->inpos, take);
		c->inpos += take;
		dst += take;
		len -= take;
	}
	return 0;
}

int mlt_read(struct mlt_conn *c)
{
	unsigned char hdr[5];
	uint32_t len;

	if (read_exact(c, hdr, sizeof(hdr)) < 0)
		return -1;
	len = get32(hdr);
	if (len == 0)
		return fail(c, "reply with zero length");
	if (len > MLT_MAX_REPLY)
		return fail(c, "reply of %lu bytes exceeds %d",
			    (unsigned long)len, MLT_MAX_REPLY);
	c->rcmd = hdr[4];
	c->rlen = len - 1;
	if (c->rlen + 1 > c->rcap) {
		unsigned char *p = realloc(c->rbuf, c->rlen + 1);

		if (p == NULL)
			return fail(c, "out of memory");
		c->rbuf = p;
		c->rcap = c->rlen + 1;
	}
	if (c->rlen > 0 && read_exact(c, c->rbuf, c->rlen) < 0)
		return -1;
	c->rbuf[c->rlen] = '\0';
	return 0;
}

/* Record the filter's macro lists: { uint32 stage, "names\0" }... */
static int parse_symlists(struct mlt_conn *c, const unsigned char *p,
			  size_t len)
{
	while (len > 0) {
		uint32_t stage;
		const unsigned char *nul;

		if (len < 5)
			return fail(c, "truncated macro list in OPTNEG");
		stage = get32(p);
		p += 4;
		len -= 4;
		nul = memchr(p, '\0', len);
		if (nul == NULL)
			return fail(c, "unterminated macro list in OPTNEG");
		if (stage < MLT_ST_COUNT) {
			free(c->symlist[stage]);
			c->symlist[stage] = strdup((const char *)p);
			if (c->symlist[stage] == NULL)
				return fail(c, "out of memory");
		}
		len -= (size_t)(nul - p) + 1;
		p = nul + 1;
	}
	return 0;
}

int mlt_negotiate(struct mlt_conn *c, uint32_t actions, uint32_t pflags)
{
	unsigned char opt[12];

	put32(opt, SMFI_PROT_VERSION);
	put32(opt + 4, actions);
	put32(opt + 8, pflags);
	if (mlt_send(c, SMFIC_OPTNEG, opt, sizeof(opt)) < 0 || mlt_read(c) < 0)
		return -1;
	if (c->rcmd != SMFIC_OPTNEG || c->rlen < 12)
		return fail(c, "bad OPTNEG reply '%c' (%zu bytes)", c->rcmd,
			    c->rlen);
	c->version = get32(c->rbuf);
	c->actions = get32(c->rbuf + 4);
	c->pflags = get32(c->rbuf + 8);
	if (c->version < 2 || c->version > SMFI_PROT_VERSION)
		return fail(c, "filter protocol version %lu",
			    (unsigned long)c->version);
	if ((c->actions & actions) != c->actions)
		return fail(c, "filter wants actions 0x%lx not offered",
			    (unsigned long)c->actions);
	return parse_symlists(c, c->rbuf + 12, c->rlen - 12);
}

/* Is name (with or without braces) in the space-separated list? */
static int in_list(const char *list, const char *name)
{
	size_t nl;
	const char *p = list;

	if (name[0] == '{')
		name++;
	nl = strcspn(name, "}");
	while (*p) {
		size_t wl;
		const char *w;

		p += strspn(p, " \t,");
		w = p;
		wl = strcspn(p, " \t,");
		p += wl;
		if (wl > 0 && *w == '{') {
			w++;
			wl--;
			if (wl > 0 && w[wl - 1] == '}')
				wl--;
		}
		if (wl == nl && wl > 0 && memcmp(w, name, nl) == 0)
			return 1;
	}
	return 0;
}

int mlt_macros(struct mlt_conn *c, int stage, int cmd,
	       const struct mlt_macro *m, size_t n)
{
	const char *list;
	unsigned char stackbuf[4096], *buf = stackbuf, *p;
	size_t need = 1, i;
	int rc;

	if (stage < 0 || stage >= MLT_ST_COUNT)
		return 0;
	list = c->symlist[stage] ? c->symlist[stage] : default_macros[stage];
	for (i = 0; i < n; i++)
		if (m[i].value != NULL && in_list(list, m[i].name))
			need += strlen(m[i].name) + strlen(m[i].value) + 2;
	if (need == 1)
		return 0;
	if (need > sizeof(stackbuf) && (buf = malloc(need)) == NULL)
		return fail(c, "out of memory");
	p = buf;
	*p++ = (unsigned char)cmd;
	for (i = 0; i < n; i++) {
		size_t nl, vl;

		if (m[i].value == NULL || !in_list(list, m[i].name))
			continue;
		nl = strlen(m[i].name) + 1;
		vl = strlen(m[i].value) + 1;
		memcpy(p, m[i].name, nl);
		p += nl;
		memcpy(p, m[i].value, vl);
		p += vl;
	}
	rc = mlt_send(c, SMFIC_MACRO, buf, (size_t)(p - buf));
	if (buf != stackbuf)
		free(buf);
	return rc;
}

/* The SMFIP_NO* and SMFIP_NR_* flags that govern an MTA command. */
static void step_flags(int cmd, uint32_t *no, uint32_t *nr)
{
	*no = *nr = 0;
	switch (cmd) {
	case SMFIC_CONNECT: *no = SMFIP_NOCONNECT; *nr = SMFIP_NR_CONN; break;
	case SMFIC_HELO: *no = SMFIP_NOHELO; *nr = SMFIP_NR_HELO; break;
	case SMFIC_MAIL: *no = SMFIP_NOMAIL; *nr = SMFIP_NR_MAIL; break;
	case SMFIC_RCPT: *no = SMFIP_NORCPT; *nr = SMFIP_NR_RCPT; break;
	case SMFIC_DATA: *no = SMFIP_NODATA; *nr = SMFIP_NR_DATA; break;
	case SMFIC_HEADER: *no = SMFIP_NOHDRS; *nr = SMFIP_NR_HDR; break;
	case SMFIC_EOH: *no = SMFIP_NOEOH; *nr = SMFIP_NR_EOH; break;
	case SMFIC_BODY: *no = SMFIP_NOBODY; *nr = SMFIP_NR_BODY; break;
	case SMFIC_UNKNOWN: *no = SMFIP_NOUNKNOWN; *nr = SMFIP_NR_UNKN; break;
	default: break;
	}
}

static int reply_after(struct mlt_conn *c, uint32_t nr)
{
	if (c->pflags & nr)
		return MLT_NOREPLY;
	do {
		if (mlt_read(c) < 0)
			return -1;
	} while (c->rcmd == SMFIR_PROGRESS);
	return c->rcmd;
}

int mlt_event(struct mlt_conn *c, int cmd, int stage,
	      const struct mlt_macro *m, size_t n, const void *data,
	      size_t len)
{
	uint32_t no, nr;

	step_flags(cmd, &no, &nr);
	if (c->pflags & no)
		return MLT_SKIPPED;
	if (stage >= 0 && mlt_macros(c, stage, cmd, m, n) < 0)
		return -1;
	if (mlt_send(c, cmd, data, len) < 0)
		return -1;
	return reply_after(c, nr);
}

int mlt_body(struct mlt_conn *c, const struct mlt_macro *m, size_t n,
	     const void *data, size_t len)
{
	if (c->pflags & SMFIP_NOBODY)
		return MLT_SKIPPED;
	if (mlt_macros(c, MLT_ST_EOM, SMFIC_BODY, m, n) < 0)
		return -1;
	if (mlt_send2(c, SMFIC_BODY, NULL, 0, data, len) < 0)
		return -1;
	return reply_after(c, SMFIP_NR_BODY);
}

void mlt_close(struct mlt_conn *c, int hard)
{
	int i;

	if (c->fd >= 0) {
		if (hard) {
			struct linger lg = { 1, 0 };

			(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg,
					 sizeof(lg));
		}
		(void)close(c->fd);
		c->fd = -1;
	}
	for (i = 0; i < MLT_ST_COUNT; i++) {
		free(c->symlist[i]);
		c->symlist[i] = NULL;
	}
	free(c->rbuf);
	c->rbuf = NULL;
	c->rcap = c->rlen = 0;
}

/* The text of a SMFIR_REPLYCODE reply, or "" for any other reply. */
const char *mlt_reply_text(const struct mlt_conn *c)
{
	if (c->rcmd != SMFIR_REPLYCODE || c->rbuf == NULL)
		return "";
	return (const char *)c->rbuf;
}
