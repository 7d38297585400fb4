/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nullmilter.c: the do-nothing baseline filter for the benchmarks.  It is
 * what a typical libmilter filter costs before it does any work: linked
 * against the same libmilter as dotgate, it registers every callback,
 * requests every protocol step with a reply (no SMFIP_NO* and no SMFIP_NR_*
 * flags), keeps a small per-connection context with smfi_setpriv, reads
 * the queue id macro, and accepts every message.
 *
 * With -l it is instead the leanest filter that could still do dotgate's
 * job: it declines headers, end of headers, DATA and unknown commands and
 * asks for no reply to CONNECT, HELO and body chunks (never to MAIL, where
 * a refusal must get through, nor to RCPT, whose recipients an abort
 * record must keep, nor to end of message): dotgate's own event set, the
 * protocol floor for a filter with dotgate's needs.
 *
 * Usage: nullmilter -p SOCKET [-l] [-P PIDFILE]; runs in the foreground
 * until SIGTERM, SIGHUP or SIGINT (libmilter's own signal handling).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

/* SMFIP_NR_* flags granted by the MTA in -l mode, per connection. */
static int lean;

struct nullctx {
	unsigned long messages;
	unsigned long body_bytes;
	char qid[32];
};

static sfsistat nm_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	struct nullctx *n = calloc(1, sizeof(*n));

	(void)host;
	(void)sa;
	if (n == NULL)
		return SMFIS_TEMPFAIL;
	if (smfi_setpriv(ctx, n) != MI_SUCCESS) {
		free(n);
		return SMFIS_TEMPFAIL;
	}
	return lean ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat nm_helo(SMFICTX *ctx, char *helo)
{
	(void)ctx;
	(void)helo;
	return lean ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat nm_envfrom(SMFICTX *ctx, char **argv)
{
	(void)argv;
	/* Typical filters look at who sent it. */
	(void)smfi_getsymval(ctx, "{auth_authen}");
	return SMFIS_CONTINUE;
}

static sfsistat nm_envrcpt(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_CONTINUE;
}

static sfsistat nm_data(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat nm_unknown(SMFICTX *ctx, const char *cmd)
{
	(void)ctx;
	(void)cmd;
	return SMFIS_CONTINUE;
}

static sfsistat nm_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx;
	(void)name;
	(void)value;
	return SMFIS_CONTINUE;
}

static sfsistat nm_eoh(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat nm_body(SMFICTX *ctx, unsigned char *buf, size_t len)
{
	struct nullctx *n = smfi_getpriv(ctx);

	(void)buf;
	if (n != NULL)
		n->body_bytes += len;
	return lean ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat nm_eom(SMFICTX *ctx)
{
	struct nullctx *n = smfi_getpriv(ctx);
	const char *qid = smfi_getsymval(ctx, "i");

	if (n != NULL) {
		n->messages++;
		snprintf(n->qid, sizeof(n->qid), "%s", qid ? qid : "NOQUEUE");
	}
	return SMFIS_ACCEPT;
}

static sfsistat nm_abort(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat nm_close(SMFICTX *ctx)
{
	free(smfi_getpriv(ctx));
	(void)smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

/* -l: the macro lists dotgate asks for (filter/dotgate/milter.c). */
static int lean_macros(SMFICTX *ctx)
{
	if (smfi_setsymlist(ctx, SMFIM_CONNECT, "{daemon_name}") != MI_SUCCESS ||
	    smfi_setsymlist(ctx, SMFIM_HELO, "{tls_version}") != MI_SUCCESS ||
	    smfi_setsymlist(ctx, SMFIM_ENVFROM, "i {auth_authen} {auth_type} "
			    "{tls_version} {daemon_name}") != MI_SUCCESS ||
	    smfi_setsymlist(ctx, SMFIM_ENVRCPT, "i") != MI_SUCCESS ||
	    smfi_setsymlist(ctx, SMFIM_EOM, "i") != MI_SUCCESS)
		return -1;
	return 0;
}

/* Ask for every step and every reply, whatever the MTA offers (-l: only
 * what dotgate asks for). */
static sfsistat nm_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
			     unsigned long f2, unsigned long f3,
			     unsigned long *pf0, unsigned long *pf1,
			     unsigned long *pf2, unsigned long *pf3)
{
	(void)f2;
	(void)f3;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_QUARANTINE);
	*pf1 = 0;
	if (lean) {
		/* libmilter offers the NR flags whether or not the MTA has
		 * them (and answers for us when it has not), so this only
		 * refuses an MTA that cannot skip the steps. */
		unsigned long want = SMFIP_NOHDRS | SMFIP_NOEOH | SMFIP_NODATA |
		    SMFIP_NOUNKNOWN | SMFIP_NR_CONN | SMFIP_NR_HELO |
		    SMFIP_NR_BODY;

		if ((f1 & want) != want)
			return SMFIS_REJECT;
		*pf1 = want;
		/* dotgate's macro lists, so that the floor sends what it does. */
		if ((f0 & SMFIF_SETSYMLIST) && lean_macros(ctx) < 0)
			return SMFIS_REJECT;
		*pf0 |= f0 & SMFIF_SETSYMLIST;
	}
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

int main(int argc, char **argv)
{
	struct smfiDesc desc = {
		.xxfi_name = "nullmilter",
		.xxfi_version = SMFI_VERSION,
		.xxfi_flags = SMFIF_ADDHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST,
		.xxfi_connect = nm_connect,
		.xxfi_helo = nm_helo,
		.xxfi_envfrom = nm_envfrom,
		.xxfi_envrcpt = nm_envrcpt,
		.xxfi_header = nm_header,
		.xxfi_eoh = nm_eoh,
		.xxfi_body = nm_body,
		.xxfi_eom = nm_eom,
		.xxfi_abort = nm_abort,
		.xxfi_close = nm_close,
		.xxfi_unknown = nm_unknown,
		.xxfi_data = nm_data,
		.xxfi_negotiate = nm_negotiate,
	};
	const char *sock = NULL, *pidfile = NULL;
	int ch;

	while ((ch = getopt(argc, argv, "lp:P:")) != -1) {
		switch (ch) {
		case 'l': lean = 1; break;
		case 'p': sock = optarg; break;
		case 'P': pidfile = optarg; break;
		default: sock = NULL; optind = argc + 1; break;
		}
	}
	if (sock == NULL || optind != argc) {
		fprintf(stderr, "usage: nullmilter -p SOCKET [-l] [-P PIDFILE]\n");
		return 64;
	}
	if (smfi_setconn((char *)sock) != MI_SUCCESS ||
	    smfi_register(desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "nullmilter: cannot listen on %s\n", sock);
		return 69;
	}
	if (pidfile != NULL) {
		FILE *fp = fopen(pidfile, "w");

		if (fp == NULL || fprintf(fp, "%ld\n", (long)getpid()) < 0 ||
		    fclose(fp) != 0) {
			fprintf(stderr, "nullmilter: cannot write %s\n", pidfile);
			return 73;
		}
	}
	return smfi_main() == MI_SUCCESS ? 0 : 70;
}
