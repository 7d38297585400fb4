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
 *	upper, data) is the only value.  --list and --help print and exit 0,
 *	and so does -V/--version (the version).
 * DIAGNOSTICS
 *	A bad command line or an unreadable password file is reported on
 *	stderr (with the usage, when the mistake is in the options' use)
 *	and the program exits 2.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoconfig.h"
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

static void die_usage(const char *msg)
{
	fprintf(stderr, "dotgate-probe: %s\n", msg);
	usage(stderr);
	exit(2);
}

/* HOST:PORT, [IPV6]:PORT. */
static void split_server(struct probe_opts *o)
{
	const char *s = o->server, *colon;
	size_t hlen;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			die_usage("--server: expected [ADDRESS]:PORT");
		hlen = (size_t)(close - s - 1);
		s++;
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			die_usage("--server: expected HOST:PORT");
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= sizeof(o->host) ||
	    strlen(colon + 1) == 0 || strlen(colon + 1) >= sizeof(o->port) ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		die_usage("--server: bad host or port");
	memcpy(o->host, s, hlen);
	o->host[hlen] = '\0';
	(void)snprintf(o->port, sizeof(o->port), "%s", colon + 1);
}

static char *read_password(const char *path)
{
	char buf[1024];
	FILE *fp = fopen(path, "r");
	size_t len;

	if (fp == NULL) {
		fprintf(stderr, "dotgate-probe: %s: %s\n", path,
			strerror(errno));
		exit(2);
	}
	if (fgets(buf, sizeof(buf), fp) == NULL) {
		fprintf(stderr, "dotgate-probe: %s: empty\n", path);
		exit(2);
	}
	(void)fclose(fp);
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	return xstrdup(buf);
}

/* An address goes between <> in MAIL/RCPT: no controls, no <>, bounded. */
static void check_addr(const char *opt, const char *a)
{
	if (strlen(a) > PROBE_ADDR_MAX)
		die_usage("address too long");
	for (const char *p = a; *p != '\0'; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f || *p == '<' ||
		    *p == '>') {
			fprintf(stderr, "dotgate-probe: %s: bad address\n", opt);
			exit(2);
		}
}

/* --timeout SECS in milliseconds: whole seconds, at most an hour. */
static int parse_timeout(const char *arg)
{
	char *end;
	long t = strtol(arg, &end, 10);

	if (*end != '\0' || t < 1 || t > 3600)
		die_usage("--timeout: 1..3600 seconds");
	return (int)t * 1000;
}

static void add_vector(struct probe_opts *o, const char *name)
{
	const struct probe_vector *v = probe_vector_find(name);

	if (v == NULL)
		die_usage("unknown vector (see --list)");
	/* o->only holds every vector once; more names must be repeats. */
	if (o->nonly < probe_nvectors)
		o->only[o->nonly++] = v;
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

/*
 * The values of arg (NAME, NAME,NAME..., all) appended to c (as enum
 * values 0..nnames-1), each once and in the order given; opt names the
 * option in the usage error for anything else.
 */
static void add_choices(const char *opt, const char *arg,
			const char *const *names, size_t nnames,
			struct choices *c)
{
	const char *p = arg;

	for (;;) {
		size_t len = strcspn(p, ",");
		int all;
		long i = choice_index(p, len, names, nnames, &all);

		if (i < 0) {
			char msg[128];
			size_t k;

			k = (size_t)snprintf(msg, sizeof(msg), "%s: expected",
					     opt);
			for (size_t j = 0; j < nnames && k < sizeof(msg); j++)
				k += (size_t)snprintf(msg + k, sizeof(msg) - k,
						      " %s,", names[j]);
			if (k < sizeof(msg))
				(void)snprintf(msg + k, sizeof(msg) - k,
					       " all, or a comma list");
			die_usage(msg);
		}
		for (size_t j = all ? 0 : (size_t)i;
		     j < (all ? nnames : (size_t)i + 1); j++) {
			size_t k = 0;

			while (k < c->n && c->v[k] != j)
				k++;
			if (k == c->n)
				c->v[c->n++] = (unsigned)j;
		}
		if (p[len] == '\0')
			break;
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

static void set_tls(struct probe_opts *o, enum probe_tls_mode mode)
{
	if (o->tls != PROBE_TLS_NONE && o->tls != mode)
		die_usage("--starttls and --tls exclude each other");
	o->tls = mode;
}

/* --template, --case, --hidden-data: one list of choices each. */
static void add_variant_choice(int ch, const char *arg,
			       struct choices choice[3])
{
	switch (ch) {
	case 'P':
		add_choices("--template", arg, probe_template_names,
			    PROBE_NTEMPLATES, &choice[0]);
		break;
	case 'c':
		add_choices("--case", arg, probe_case_names, PROBE_NCASES,
			    &choice[1]);
		break;
	default:
		add_choices("--hidden-data", arg, probe_hidden_names,
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

/* The getopt loop: fills o and the options probe_parse_args() resolves
 * (choice: --template, --case, --hidden-data). */
static void parse_options(int argc, char **argv, struct probe_opts *o,
			  const char **pwfile, const char **hidden,
			  struct choices choice[3])
{
	int ch;

	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
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
		case 'T': o->timeout_ms = parse_timeout(optarg); break;
		case 'v': add_vector(o, optarg); break;
		case 'l': list_vectors(); exit(0);
		case 'h': usage(stdout); exit(0);
		case 'V': printf("dotgate-probe %s\n", PACKAGE_VERSION); exit(0);
		case 'S': set_tls(o, PROBE_TLS_STARTTLS); break;
		case 'L': set_tls(o, PROBE_TLS_IMPLICIT); break;
		case 'C': o->cafile = optarg; break;
		case 'k': o->insecure = 1; break;
		case 'P': case 'c': case 'B':
			add_variant_choice(ch, optarg, choice);
			break;
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc)
		die_usage("unexpected argument");
}

/* The options that only make sense together, or that go on the wire. */
static void check_options(const struct probe_opts *o, const char *pwfile)
{
	if (o->server == NULL || o->from == NULL || o->to == NULL)
		die_usage("--server, --from and --to are required");
	if ((o->user == NULL) != (pwfile == NULL))
		die_usage("--user and --password-file go together");
	if (o->mech != NULL && o->user == NULL)
		die_usage("--mech needs --user");
	if ((o->cafile != NULL || o->insecure) && o->tls == PROBE_TLS_NONE)
		die_usage("--cafile and --insecure need --starttls or --tls");
	if (o->cafile != NULL && o->insecure)
		die_usage("--cafile and --insecure exclude each other");
	if (strlen(o->helo) > 255 || strpbrk(o->helo, " \r\n") != NULL)
		die_usage("--helo: bad name");
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

void probe_parse_args(int argc, char **argv, struct probe_opts *o)
{
	const char *pwfile = NULL, *hidden = NULL;
	struct choices ch[3] = { { { 0 }, 0 } };

	/* memset: the defaults PROBE_TMPL_DIRECT, _CASE_UPPER, _HIDDEN_DATA
	 * are 0. */
	memset(o, 0, sizeof(*o));
	o->helo = "dotgate-probe.invalid";
	o->timeout_ms = 30000;
	o->only = xcalloc(probe_nvectors, sizeof(*o->only));
	parse_options(argc, argv, o, &pwfile, &hidden, ch);
	set_variants(o, ch);
	check_options(o, pwfile);
	split_server(o);
	check_addr("--from", o->from);
	check_addr("--to", o->to);
	set_hidden_from(o, hidden);
	check_addr("--hidden-from", o->hidden_from);
	if (pwfile != NULL)
		o->password = read_password(pwfile);
}
