/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_tls.c: TLS for dotgate-probe (OpenSSL), for STARTTLS and for
 * implicit TLS (port 465).  Submission servers set up as recommended
 * (smtpd_tls_auth_only = yes) offer AUTH only inside TLS, so a probe
 * without it cannot test them at all.
 *
 * NAME
 *	probe_tls - certificate-checked TLS on a probe_smtp connection
 * SYNOPSIS
 *	see probe.h
 * DESCRIPTION
 *	probe_tls_init() makes the one client context of the run: TLS 1.2
 *	or newer, the peer's certificate verified against cafile or, when
 *	cafile is NULL, the system's trust store, unless insecure.  The
 *	name checked is the host of --server: an IP literal against the
 *	certificate's IP addresses, a name against its DNS names (and sent
 *	as SNI).  probe_tls_start() runs the handshake on c's socket within
 *	c's timeout; from then on probe_smtp_send() and the reply readers
 *	go through TLS.  probe_tls_read() and probe_tls_write() keep the
 *	deadline of the plain transport: they wait on the socket for what
 *	OpenSSL asks (read or write) and never block past it.
 *
 *	A server that hangs up, with close_notify or without, or whose
 *	kernel resets the connection (it closed with our input unread) sets
 *	c->closed as on a plain socket: reads return 0 at an end of file
 *	and -1 on a reset, so the caller can tell both from a TLS error.
 * DIAGNOSTICS
 *	-1 with the reason in c->err: OpenSSL's error, or the verification
 *	failure by name ("certificate verify failed: ...").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "probe.h"

static SSL_CTX *ctx;

int probe_tls_init(const char *cafile, int insecure, char *err,
		   size_t errsize)
{
	int ok;

	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL) {
		probe_errf(err, errsize, "cannot make a TLS context");
		return -1;
	}
	(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* SMTP frames itself; a server that hangs up without close_notify
	 * after a 5xx is a closed connection, not an attack. */
	(void)SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	(void)SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE);
	SSL_CTX_set_verify(ctx, insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
			   NULL);
	ok = cafile != NULL ? SSL_CTX_load_verify_locations(ctx, cafile, NULL)
			    : SSL_CTX_set_default_verify_paths(ctx);
	if (!ok) {
		probe_errf(err, errsize, "%s: cannot load certificates: %s",
			   cafile ? cafile : "system trust store",
			   ERR_reason_error_string(ERR_get_error()));
		return -1;
	}
	return 0;
}

void probe_tls_done(void)
{
	SSL_CTX_free(ctx);
	ctx = NULL;
}

/* The name the certificate must carry: host of --server. */
static int set_peer_name(SSL *ssl, const char *host)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	return SSL_set_tlsext_host_name(ssl, host) && SSL_set1_host(ssl, host);
}

/*
 * How OpenSSL's error e (errno *sys of the socket call under it) ended
 * the connection: PROBE_CLOSED_EOF for close_notify or an end of file
 * without it (SSL_OP_IGNORE_UNEXPECTED_EOF turns that into
 * SSL_ERROR_ZERO_RETURN; OpenSSL 1.1 says SSL_ERROR_SYSCALL and errno
 * 0), PROBE_CLOSED_RESET for ECONNRESET or EPIPE, which OpenSSL 3 may
 * put on its error queue instead of leaving in errno; 0 for any other
 * error, which stays a TLS error.  *sys gets the errno of a reset.
 */
static int tls_closed(int e, int *sys)
{
	unsigned long q = ERR_peek_error();

	if (e == SSL_ERROR_ZERO_RETURN)
		return PROBE_CLOSED_EOF;
	if (e == SSL_ERROR_SYSCALL) {
		if (q != 0 && ERR_GET_LIB(q) == ERR_LIB_SYS)
			*sys = ERR_GET_REASON(q);
		if (*sys == ECONNRESET || *sys == EPIPE)
			return PROBE_CLOSED_RESET;
		return q == 0 && *sys == 0 ? PROBE_CLOSED_EOF : 0;
	}
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
	if (e == SSL_ERROR_SSL && ERR_GET_LIB(q) == ERR_LIB_SSL &&
	    ERR_GET_REASON(q) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		return PROBE_CLOSED_EOF;
#endif
	return 0;
}

/*
 * After an OpenSSL call returned rc: 1 to retry once the socket is
 * ready, 0 for an end of file, -1 on error (c->closed set on a reset).
 * The caller cleared errno before the call: a stale EAGAIN would make
 * a clean end of file look like an error.
 */
static int retry(struct probe_smtp *c, int rc, const char *what)
{
	int sys = errno;
	int e = SSL_get_error(c->ssl, rc);
	int closed;
	long v;

	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return probe_net_wait(c, e == SSL_ERROR_WANT_READ ? POLLIN
								   : POLLOUT) < 0 ? -1 : 1;
	closed = tls_closed(e, &sys);
	if (closed != 0 && c->closed == 0)
		c->closed = closed;
	if (closed == PROBE_CLOSED_EOF) {
		ERR_clear_error();
		return 0;
	}
	if (closed == PROBE_CLOSED_RESET) {
		probe_errf(c->err, sizeof(c->err), "%s: %s", what,
			   strerror(sys));
		ERR_clear_error();
		return -1;
	}
	v = SSL_get_verify_result(c->ssl);
	if (v != X509_V_OK)
		probe_errf(c->err, sizeof(c->err), "%s: certificate verify "
			   "failed: %s", what, X509_verify_cert_error_string(v));
	else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
		probe_errf(c->err, sizeof(c->err), "%s: %s", what,
			   sys ? strerror(sys) : "connection closed");
	else
		probe_errf(c->err, sizeof(c->err), "%s: %s", what,
			   ERR_reason_error_string(ERR_get_error()));
	ERR_clear_error();
	return -1;
}

int probe_tls_start(struct probe_smtp *c, const char *host)
{
	int rc;

	if (ctx == NULL || (c->ssl = SSL_new(ctx)) == NULL ||
	    !SSL_set_fd(c->ssl, c->fd) || !set_peer_name(c->ssl, host)) {
		probe_errf(c->err, sizeof(c->err), "TLS setup failed");
		return -1;
	}
	for (;;) {
		int r;

		errno = 0;
		if ((rc = SSL_connect(c->ssl)) == 1)
			break;
		r = retry(c, rc, "TLS handshake");
		if (r == 0)
			probe_errf(c->err, sizeof(c->err),
				   "TLS handshake: connection closed");
		if (r != 1)
			return -1;
	}
	return 0;
}

ssize_t probe_tls_read(struct probe_smtp *c, void *buf, size_t len)
{
	for (;;) {
		int n, r;

		errno = 0;
		n = SSL_read(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
		if (n > 0)
			return n;
		if ((r = retry(c, n, "TLS read")) != 1)
			return r;
	}
}

ssize_t probe_tls_write(struct probe_smtp *c, const void *buf, size_t len)
{
	for (;;) {
		int n, r;

		errno = 0;
		n = SSL_write(c->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
		if (n > 0)
			return n;
		if ((r = retry(c, n, "TLS write")) == 0)
			probe_errf(c->err, sizeof(c->err),
				   "TLS write: connection closed");
		if (r != 1)
			return -1;
	}
}

void probe_tls_close(struct probe_smtp *c)
{
	if (c->ssl == NULL)
		return;
	(void)SSL_shutdown(c->ssl);	/* one try: the socket closes next */
	SSL_free(c->ssl);
	c->ssl = NULL;
	ERR_clear_error();
}

const char *probe_tls_version(const struct probe_smtp *c)
{
	return c->ssl != NULL ? SSL_get_version(c->ssl) : "";
}

const char *probe_tls_cipher(const struct probe_smtp *c)
{
	const char *s = c->ssl != NULL ? SSL_get_cipher_name(c->ssl) : NULL;

	return s != NULL ? s : "";
}
