/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_args.c: dotgate-probe's command line.  The addresses and the
 * EHLO name the probe puts into SMTP commands are checked here, so a bad
 * option is a usage error, never a malformed command on the wire.
 *
 * NAME
 *	probe_args - parse and check dotgate-probe's options
 * SYNOPSIS
 *	see probe.h
 * DESCRIPTION
 *	probe_parse_args() fills o from argv: --server split into host and
 *	port, --vector names resolved into o->only, the password read from
 *	--password-file (its first line, without CR/LF), and the hidden
 *	sender defaulted to smuggled@ the domain of --from.  --starttls and
 *	--tls choose TLS (one of them), --cafile and --insecure how its
 *	certificate is checked (one of them, and only with TLS).
 *	--template, --case and --hidden-data each take a value, a comma
 *	list of values or "all", and may be repeated: the values collect in
 *	the order given, each once; without the option its default (direct,
 *	upper, data) is the only value.  --list, --help and -V/--version
 *	print what they are asked for; the probe then stops with status 0.
 * DIAGNOSTICS
 *	A bad command line or an unreadable password file is reported on
 *	stderr (with the usage, when the mistake is in the options' use)
 *	and the probe stops with status 2 (dotgate-probe(1), EXIT STATUS).
 *	Nothing here exits: each check returns -1 after its message, and
 *	probe_parse_args() returns the status to main().
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoconfig.h"
#include "log.h"
#include "probe.h"
#include "util.h"

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: dotgate-probe --server HOST:PORT [--user U "
		"--password-file F] [--mech M]\n"
		"                     --from A --to B [--hidden-from H] "
		"[--json] [--vector NAME]...\n"
		"                     [--helo NAME] [--timeout SECS]\n"
		"                     [--template direct|crlf|crlfcrlf|all]\n"
		"                     [--case upper|lower|all] "
		"[--hidden-data data|bdat|all]\n"
		"                     [--starttls | --tls] [--cafile FILE | "
		"--insecure]\n"
		"       dotgate-probe --list\n"
		"       dotgate-probe -V | --version\n");
}

/* A mistake in the options' use: the message, the usage, and -1. */
static int bad_usage(const char *msg)
{
	log_msg(LOG_ERR, "%s", msg);
	usage(stderr);
	return -1;
}

/* HOST:PORT, [IPV6]:PORT. */
static int split_server(struct probe_opts *o)
{
	const char *s = o->server, *colon;
	size_t hlen;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return bad_usage("--server: expected [ADDRESS]:PORT");
		hlen = (size_t)(close - s - 1);
		s++;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return bad_usage("--server: expected HOST:PORT");
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= sizeof(o->host) ||
	    strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof(o->port) ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return bad_usage("--server: bad host or port");
	memcpy(o->host, s, hlen);
	o->host[hlen] = '\0';
	(void)snprintf(o->port, sizeof(o->port), "%s", colon + 1);
	return 0;
}

/* Its first line, without CR/LF, into *out. */
static int read_password(const char *path, char **out)
{
	char buf[1024];
	FILE *fp = fopen(path, "r");
	size_t len;

	if (fp == NULL) {
		log_msg(LOG_ERR, "%s: %s", path,
			strerror(errno));
		return -1;
	}
	if (fgets(buf, sizeof(buf), fp) == NULL) {
		log_msg(LOG_ERR, "%s: empty", path);
		(void)fclose(fp);
		return -1;
	}
	(void)fclose(fp);
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	*out = xstrdup(buf);
	return 0;
}

/* An address goes between <> in MAIL/RCPT: no controls, no <>, bounded. */
static int check_addr(const char *opt, const char *a)
{
	if (strlen(a) > PROBE_ADDR_MAX)
		return bad_usage("address too long");
	for (const char *p = a; *p != '\0'; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f || *p == '<' ||
		    *p == '>') {
			log_msg(LOG_ERR, "%s: bad address", opt);
			return -1;
		}
	return 0;
}

/* --timeout SECS in milliseconds: whole seconds, at most an hour. */
static int parse_timeout(const char *arg, int *ms)
{
	char *end;
	long t = strtol(arg, &end, 10);

	if (*end != '\0' || t < 1 || t > 3600)
		return bad_usage("--timeout: 1..3600 seconds");
	*ms = (int)t * 1000;
	return 0;
}

static int add_vector(struct probe_opts *o, const char *name)
{
	const struct probe_vector *v = probe_vector_find(name);

	if (v == NULL)
		return bad_usage("unknown vector (see --list)");
	/* o->only holds every vector once; more names must be repeats. */
	if (o->nonly < probe_nvectors)
		o->only[o->nonly++] = v;
	return 0;
}

/* --template, --case, --hidden-data as given: indices into their names. */
struct choices {
	unsigned v[PROBE_NTEMPLATES];	/* the longest of the lists */
	size_t n;
};
_Static_assert(PROBE_NCASES <= PROBE_NTEMPLATES &&
	       PROBE_NHIDDEN <= PROBE_NTEMPLATES, "struct choices too small");

/*
 * One value of a --template, --case or --hidden-data list: its index in
 * names, or "all" (every index: *all set); -1 if it is none of them.
 */
static long choice_index(const char *word, size_t len,
			 const char *const *names, size_t nnames, int *all)
{
	*all = len == 3 && strncmp(word, "all", 3) == 0;
	for (size_t i = 0; i < nnames; i++)
		if (strlen(names[i]) == len &&
		    strncmp(word, names[i], len) == 0)
			return (long)i;
	return *all ? 0 : -1;
}

/* The usage error of a value that is none of names. */
static int bad_choice(const char *opt, const char *const *names,
		      size_t nnames)
{
	char msg[128];
	size_t k;

	k = (size_t)snprintf(msg, sizeof(msg), "%s: expected", opt);
	for (size_t j = 0; j < nnames && k < sizeof(msg); j++)
		k += (size_t)snprintf(msg + k, sizeof(msg) - k, " %s,",
				      names[j]);
	if (k < sizeof(msg))
		(void)snprintf(msg + k, sizeof(msg) - k,
			       " all, or a comma list");
	return bad_usage(msg);
}

/*
 * The values of arg (NAME, NAME,NAME..., all) appended to c (as enum
 * values 0..nnames-1), each once and in the order given; opt names the
 * option in the usage error for anything else.
 */
static int add_choices(const char *opt, const char *arg,
		       const char *const *names, size_t nnames,
		       struct choices *c)
{
	const char *p = arg;

	for (;;) {
		size_t len = strcspn(p, ",");
		int all;
		long i = choice_index(p, len, names, nnames, &all);

		if (i < 0)
			return bad_choice(opt, names, nnames);
		for (size_t j = all ? 0 : (size_t)i;
		     j < (all ? nnames : (size_t)i + 1); j++) {
			size_t k = 0;

			while (k < c->n && c->v[k] != j)
				k++;
			if (k == c->n)
				c->v[c->n++] = (unsigned)j;
		}
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

/* Long vectors are shown by their description, not their bytes. */
static void list_vectors(void)
{
	for (size_t i = 0; i < probe_nvectors; i++) {
		char *e = probe_escape(probe_vectors[i].bytes,
				       probe_vectors[i].len);

		printf("%-18s %s\n", probe_vectors[i].name,
		       probe_vectors[i].len > 40 ? probe_vectors[i].what : e);
		free(e);
	}
}

static int set_tls(struct probe_opts *o, enum probe_tls_mode mode)
{
	if (o->tls != PROBE_TLS_NONE && o->tls != mode)
		return bad_usage("--starttls and --tls exclude each other");
	o->tls = mode;
	return 0;
}

/* --template, --case, --hidden-data: one list of choices each. */
static int add_variant_choice(int ch, const char *arg,
			      struct choices choice[3])
{
	switch (ch) {
	case 'P':
		return add_choices("--template", arg, probe_template_names,
				   PROBE_NTEMPLATES, &choice[0]);
	case 'c':
		return add_choices("--case", arg, probe_case_names,
				   PROBE_NCASES, &choice[1]);
	default:
		return add_choices("--hidden-data", arg, probe_hidden_names,
				   PROBE_NHIDDEN, &choice[2]);
	}
}

static const struct option longopts[] = {
	{ "server", required_argument, NULL, 's' },
	{ "user", required_argument, NULL, 'u' },
	{ "password-file", required_argument, NULL, 'p' },
	{ "mech", required_argument, NULL, 'm' },
	{ "from", required_argument, NULL, 'f' },
	{ "to", required_argument, NULL, 't' },
	{ "hidden-from", required_argument, NULL, 'H' },
	{ "json", no_argument, NULL, 'j' },
	{ "vector", required_argument, NULL, 'v' },
	{ "helo", required_argument, NULL, 'e' },
	{ "timeout", required_argument, NULL, 'T' },
	{ "list", no_argument, NULL, 'l' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "starttls", no_argument, NULL, 'S' },
	{ "tls", no_argument, NULL, 'L' },
	{ "cafile", required_argument, NULL, 'C' },
	{ "insecure", no_argument, NULL, 'k' },
	{ "template", required_argument, NULL, 'P' },
	{ "case", required_argument, NULL, 'c' },
	{ "hidden-data", required_argument, NULL, 'B' },
	{ NULL, 0, NULL, 0 },
};

/*
 * One option of the getopt loop into o, or into what probe_parse_args()
 * resolves later (choice: --template, --case, --hidden-data).  Returns
 * PROBE_RUN to go on, else the status to stop with.
 */
static int parse_option(int ch, struct probe_opts *o, const char **pwfile,
			const char **hidden, struct choices choice[3])
{
	int rc = 0;

	switch (ch) {
	case 's': o->server = optarg; break;
	case 'u': o->user = optarg; break;
	case 'p': *pwfile = optarg; break;
	case 'm': o->mech = optarg; break;
	case 'f': o->from = optarg; break;
	case 't': o->to = optarg; break;
	case 'H': *hidden = optarg; break;
	case 'j': o->json = 1; break;
	case 'e': o->helo = optarg; break;
	case 'T': rc = parse_timeout(optarg, &o->timeout_ms); break;
	case 'v': rc = add_vector(o, optarg); break;
	case 'l': list_vectors(); return PROBE_EXIT_CLEAN;
	case 'h': usage(stdout); return PROBE_EXIT_CLEAN;
	case 'V':
		printf("dotgate-probe %s\n", PACKAGE_VERSION);
		return PROBE_EXIT_CLEAN;
	case 'S': rc = set_tls(o, PROBE_TLS_STARTTLS); break;
	case 'L': rc = set_tls(o, PROBE_TLS_IMPLICIT); break;
	case 'C': o->cafile = optarg; break;
	case 'k': o->insecure = 1; break;
	case 'P': case 'c': case 'B':
		rc = add_variant_choice(ch, optarg, choice);
		break;
	default: usage(stderr); return PROBE_EXIT_ERROR;
	}
	return rc < 0 ? PROBE_EXIT_ERROR : PROBE_RUN;
}

/* The getopt loop: PROBE_RUN, or the status to stop with. */
static int parse_options(int argc, char **argv, struct probe_opts *o,
			 const char **pwfile, const char **hidden,
			 struct choices choice[3])
{
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1)
		if ((rc = parse_option(ch, o, pwfile, hidden, choice)) !=
		    PROBE_RUN)
			return rc;
	if (optind != argc && bad_usage("unexpected argument") < 0)
		return PROBE_EXIT_ERROR;
	return PROBE_RUN;
}

/* The options that only make sense together, or that go on the wire. */
static int check_options(const struct probe_opts *o, const char *pwfile)
{
	if (o->server == NULL || o->from == NULL || o->to == NULL)
		return bad_usage("--server, --from and --to are required");
	if ((o->user == NULL) != (pwfile == NULL))
		return bad_usage("--user and --password-file go together");
	if (o->mech != NULL && o->user == NULL)
		return bad_usage("--mech needs --user");
	if ((o->cafile != NULL || o->insecure) && o->tls == PROBE_TLS_NONE)
		return bad_usage("--cafile and --insecure need --starttls or "
				 "--tls");
	if (o->cafile != NULL && o->insecure)
		return bad_usage("--cafile and --insecure exclude each other");
	if (strlen(o->helo) > 255 || strpbrk(o->helo, " \r\n") != NULL)
		return bad_usage("--helo: bad name");
	return 0;
}

/* Without --hidden-from the hidden sender is in --from's domain. */
static void set_hidden_from(struct probe_opts *o, const char *hidden)
{
	const char *at;

	if (hidden != NULL) {
		(void)snprintf(o->hidden_from, sizeof(o->hidden_from), "%s",
			       hidden);
		return;
	}
	at = strrchr(o->from, '@');
	(void)snprintf(o->hidden_from, sizeof(o->hidden_from), "smuggled@%s",
		       at != NULL ? at + 1 : "invalid");
}

/* The variants asked for into o; an option not given is its default. */
static void set_variants(struct probe_opts *o, const struct choices ch[3])
{
	for (size_t i = 0; i < ch[0].n; i++)
		o->templates[i] = (enum probe_template)ch[0].v[i];
	o->ntemplates = ch[0].n > 0 ? ch[0].n : 1;
	for (size_t i = 0; i < ch[1].n; i++)
		o->cases[i] = (enum probe_case)ch[1].v[i];
	o->ncases = ch[1].n > 0 ? ch[1].n : 1;
	for (size_t i = 0; i < ch[2].n; i++)
		o->hiddens[i] = (enum probe_hidden)ch[2].v[i];
	o->nhiddens = ch[2].n > 0 ? ch[2].n : 1;
}

int probe_parse_args(int argc, char **argv, struct probe_opts *o)
{
	const char *pwfile = NULL, *hidden = NULL;
	struct choices ch[3] = { { { 0 }, 0 } };
	int rc;

	/* memset: the defaults PROBE_TMPL_DIRECT, _CASE_UPPER, _HIDDEN_DATA
	 * are 0. */
	memset(o, 0, sizeof(*o));
	o->helo = "dotgate-probe.invalid";
	o->timeout_ms = 30000;
	o->only = xcalloc(probe_nvectors, sizeof(*o->only));
	if ((rc = parse_options(argc, argv, o, &pwfile, &hidden, ch)) !=
	    PROBE_RUN)
		return rc;
	set_variants(o, ch);
	if (check_options(o, pwfile) < 0 || split_server(o) < 0 ||
	    check_addr("--from", o->from) < 0 ||
	    check_addr("--to", o->to) < 0)
		return PROBE_EXIT_ERROR;
	set_hidden_from(o, hidden);
	if (check_addr("--hidden-from", o->hidden_from) < 0 ||
	    (pwfile != NULL && read_password(pwfile, &o->password) < 0))
		return PROBE_EXIT_ERROR;
	return PROBE_RUN;
}
