/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_load.c: reads dotgate.conf with libconfuse and compiles it into
 * an immutable struct dg_policy (see policy.h).
 *
 * Two facts of libconfuse shape this file.  It keeps no line numbers on
 * parsed values, so every value is parsed through a callback that
 * records the line it came from; validation then happens after the
 * parse with FILE:LINE for each value.  And it stops at the first syntax
 * error, unknown key or duplicate section title, so after such an error
 * the offending line is neutralised in a private copy of the text (the
 * line commented out, a duplicate title renamed) and the text parsed
 * again, until it parses: "dotgate -n" then lists every error at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include <confuse.h>

#include "anomaly.h"
#include "policy.h"
#include "policy_load.h"
#include "util.h"

#define CONF_MAX_BYTES (1024 * 1024)
#define CONF_MAX_PASSES 64

/*
 * libconfuse lets a later "key = value" silently replace an earlier
 * one; a postmaster who set a key twice meant one of them, so that is
 * an error at the second line, naming the first.  libconfuse empties
 * the old value before the parse callback sees it, so the keys set in
 * this pass are remembered here (loads run on one thread, as the
 * parse_msg they report through).
 */
#define SEEN_MAX 256

static struct seen {
	const cfg_t *cfg;		/* the section instance */
	const cfg_opt_t *opt;
	int line;
} seen[SEEN_MAX];
static size_t nseen;

static bool given_twice(cfg_t *cfg, cfg_opt_t *opt)
{
	if (cfg == NULL || cfg->line <= 0 || opt == NULL || (opt->flags & CFGF_LIST))
		return false;
	for (size_t i = 0; i < nseen; i++)
		if (seen[i].cfg == cfg && seen[i].opt == opt) {
			cfg_error(cfg, "option '%s' given twice (first at line %d)",
				  opt->name, seen[i].line);
			return true;
		}
	if (nseen < SEEN_MAX)
		seen[nseen++] = (struct seen){ cfg, opt, cfg->line };
	return false;
}

static int cval_parse(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	struct cval *v;

	if (given_twice(cfg, opt))
		return -1;
	v = xmalloc(sizeof(*v));
	v->s = xstrdup(value);
	v->line = cfg && cfg->line > 0 ? (unsigned)cfg->line : 0;
	*(void **)result = v;
	return 0;
}

static void cval_free(void *p)
{
	struct cval *v = p;

	if (v) {
		free(v->s);
		free(v);
	}
}

/* A pointer option's default is parsed as configuration text: quote it. */
#define VAL(name, def) CFG_PTR_CB(name, "\"" def "\"", CFGF_NONE, cval_parse, cval_free)
#define LIST(name, def) CFG_PTR_LIST_CB(name, def, CFGF_NONE, cval_parse, cval_free)

static cfg_opt_t auth_opts[] = {
	VAL("require", "true"),
	LIST("exempt_networks", "{\"127.0.0.0/8\", \"::1/128\"}"),
	LIST("daemons", "{}"),
	LIST("mechanisms", "{}"),
	LIST("exempt_logins", "{}"),
	VAL("plaintext_needs_tls", "true"),
	VAL("reply_unauthenticated", "530 5.7.0 Authentication required"),
	VAL("reply_plaintext", "538 5.7.11 Encryption required for requested authentication mechanism"),
	VAL("reply_mechanism", "534 5.7.9 Authentication mechanism is too weak"),
	CFG_END()
};

static cfg_opt_t senders_opts[] = {
	VAL("login_map", ""),
	VAL("lookup_timeout", "5"),
	VAL("unlisted", "reject"),
	VAL("null_sender", "allow"),
	VAL("reply", "553 5.7.1 <%s>: Sender address rejected: not owned by user %u"),
	VAL("reply_lookup_error", "451 4.3.0 <%s>: Sender address rejected: login map lookup failed"),
	CFG_END()
};

static cfg_opt_t user_opts[] = {
	LIST("senders", "{}"),
	CFG_END()
};

/* The body block: one key per anomaly class, from the class table
 * (anomaly.c), then these. */
static const cfg_opt_t body_more[] = {
	VAL("max_line_length", "998"),
	VAL("tag_header", "X-Dotgate-Anomalies"),
	VAL("reply_reject", "550 5.6.0 Message rejected: malformed line endings or end-of-data sequence (%a)"),
	VAL("reply_tempfail", "451 4.6.0 Message deferred: malformed content (%a)"),
	LIST("exempt_logins", "{}"),
	CFG_END()
};

static cfg_opt_t body_opts[DG_CLASS_COUNT + DG_ARRAY_LEN(body_more)];

static cfg_opt_t audit_opts[] = {
	VAL("syslog", "true"),
	VAL("facility", "mail"),
	VAL("syslog_socket", "/dev/log"),
	VAL("file", ""),
	CFG_END()
};

static cfg_opt_t metrics_opts[] = {
	VAL("listen", ""),
	VAL("allow_remote", "false"),
	CFG_END()
};

static cfg_opt_t root_opts[] = {
	VAL("socket", "unix:/run/dotgate/dotgate.sock"),
	VAL("socket_mode", "0660"),
	VAL("socket_group", ""),
	VAL("mode", "enforce"),
	VAL("host", ""),
	VAL("on_error", "tempfail"),
	CFG_SEC("auth", auth_opts, CFGF_NONE),
	CFG_SEC("senders", senders_opts, CFGF_NONE),
	CFG_SEC("user", user_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("body", body_opts, CFGF_NONE),
	CFG_SEC("audit", audit_opts, CFGF_NONE),
	CFG_SEC("metrics", metrics_opts, CFGF_NONE),
	CFG_END()
};

/* libconfuse reports through a callback without a user pointer; loads
 * run in one thread at a time per thread, so a thread-local is enough. */
static _Thread_local char parse_msg[512];
static _Thread_local int parse_line;

/* The section being parsed follows the lexer (the root lags behind
 * while a subsection is open), so its line is where the error is. */
static void on_cfg_error(cfg_t *cfg, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void on_cfg_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	vsnprintf(parse_msg, sizeof(parse_msg), fmt, ap);
	parse_line = cfg ? cfg->line : 0;
}

static char *line_start(char *buf, int line)
{
	char *p = buf;

	for (int l = 1; l < line && p; l++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return p;
}

/*
 * libconfuse 3.3 counts the line of a '#' or '//' comment three times and
 * that of a block comment twice, so every line number after a comment
 * would be wrong.  Comments are therefore blanked here (newlines kept)
 * before the text reaches libconfuse; strings are skipped as its lexer
 * does ("..." with backslash escapes, '...').
 */
static void blank_comments(char *s)
{
	char quote = 0;

	for (; *s; s++) {
		if (quote) {
			if (*s == '\\' && quote == '"' && s[1])
				s++;
			else if (*s == quote)
				quote = 0;
		} else if (*s == '"' || *s == '\'') {
			quote = *s;
		} else if (*s == '#' || (*s == '/' && s[1] == '/')) {
			for (; *s && *s != '\n'; s++)
				*s = ' ';
			if (*s == '\0')
				break;
		} else if (*s == '/' && s[1] == '*') {
			for (; *s && !(*s == '*' && s[1] == '/'); s++)
				if (*s != '\n')
					*s = ' ';
			if (*s == '\0')
				break;
			s[0] = s[1] = ' ';
			s++;
		}
	}
}

/* Makes line `line` of buf harmless for the next pass; 0 if impossible. */
static int neutralise(char *buf, int line, int pass)
{
	char *p = line_start(buf, line), *q, *end;

	if (p == NULL || *p == '\0')
		return 0;
	end = strchr(p, '\n');
	if (end == NULL)
		end = p + strlen(p);
	if (strstr(parse_msg, "duplicate title") && (q = memchr(p, '"', (size_t)(end - p))) != NULL
	    && q + 1 < end) {
		/* rename the title in place (the compiler skips such
		 * titles): keeps the block's syntax */
		q[1] = (char)('\x0e' + pass % 17);	/* never \t \n \v \f \r */
		return 1;
	}
	for (q = p; q < end && (*q == ' ' || *q == '\t'); q++)
		;
	if (q == end)
		return 0;
	memset(p, ' ', (size_t)(end - p));
	return 1;
}

/*
 * libconfuse reads one token ahead, so the line it blames can be past the
 * one at fault.  Its messages quote the option or title in '...': the
 * nearest line at or before the blamed one that starts with that name
 * (or names that title) is the right one.
 */
static int locate(char *buf, int line)
{
	const char *q1 = strchr(parse_msg, '\''), *q2;
	char name[128];

	if (q1 == NULL || (q2 = strchr(q1 + 1, '\'')) == NULL
	    || (size_t)(q2 - q1 - 1) >= sizeof(name) || q2 == q1 + 1)
		return line;
	memcpy(name, q1 + 1, (size_t)(q2 - q1 - 1));
	name[q2 - q1 - 1] = '\0';
	for (int l = line; l >= 1; l--) {
		const char *p = line_start(buf, l);
		size_t n = strlen(name);

		while (p && (*p == ' ' || *p == '\t'))
			p++;
		if (p == NULL)
			continue;
		if (strncmp(p, name, n) == 0 && strchr(" \t={", p[n]))
			return l;
		if (strncmp(p, "user", 4) == 0 && strchr(" \t", p[4])) {
			const char *t = strchr(p, '"');

			if (t && strncmp(t + 1, name, n) == 0 && t[n + 1] == '"')
				return l;
		}
	}
	return line;
}

/* Action names are single words: a default needs no quotes. */
static void make_body_opts(void)
{
	for (int c = 0; c < DG_CLASS_COUNT; c++) {
		cfg_opt_t o = CFG_PTR_CB(
		    (char *)dg_class_name((enum dg_class)c),
		    (char *)dg_action_name(dg_class_default_action((enum dg_class)c)),
		    CFGF_NONE, cval_parse, cval_free);

		body_opts[c] = o;
	}
	for (size_t i = 0; i < DG_ARRAY_LEN(body_more); i++)
		body_opts[DG_CLASS_COUNT + i] = body_more[i];
}

static cfg_t *parse_text(struct policy_errs *E, char *buf)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int last_line = -1;

	if (pthread_once(&once, make_body_opts) != 0)
		dg_panic("cannot build the body block's options");

	for (int pass = 0; pass < CONF_MAX_PASSES; pass++) {
		cfg_t *cfg = cfg_init(root_opts, CFGF_NONE);
		int rc;

		/* again each pass: a neutralised line can end a quote and
		 * turn the '#' text after it into a comment */
		blank_comments(buf);

		cfg_set_error_function(cfg, on_cfg_error);
		nseen = 0;
		parse_msg[0] = '\0';
		parse_line = 0;
		rc = cfg_parse_buf(cfg, buf);
		if (rc == CFG_SUCCESS)
			return cfg;
		cfg_free(cfg);
		if (parse_line > 0)
			parse_line = locate(buf, parse_line);
		policy_errf(E, parse_line > 0 ? (unsigned)parse_line : 0, "%s",
		     parse_msg[0] ? parse_msg : "syntax error");
		if (parse_line <= 0 || parse_line == last_line
		    || !neutralise(buf, parse_line, pass))
			return NULL;
		last_line = parse_line;
	}
	return NULL;
}

static char *read_conf(struct policy_errs *E)
{
	struct stat st;
	FILE *fp;
	char *buf;
	size_t n;

	fp = fopen(E->path, "r");
	if (fp == NULL) {
		policy_errf(E, 0, "cannot open configuration file: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) == 0 && (st.st_mode & S_IWOTH)) {
		policy_errf(E, 0, "refusing a configuration file writable by others (chmod o-w %s)", E->path);
		fclose(fp);
		return NULL;
	}
	buf = xmalloc(CONF_MAX_BYTES + 1);
	n = fread(buf, 1, CONF_MAX_BYTES + 1, fp);
	if (ferror(fp) || n > CONF_MAX_BYTES) {
		if (ferror(fp))
			policy_errf(E, 0, "read error: %s", strerror(errno));
		else
			policy_errf(E, 0, "file larger than %d bytes", CONF_MAX_BYTES);
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL) {
		policy_errf(E, 0, "configuration file contains a NUL byte");
		free(buf);
		return NULL;
	}
	return buf;
}

/* The dump is written only for a file that loads without an error. */
static struct dg_policy *load(const char *path, conf_err_fn *err, void *arg,
			      FILE *dump)
{
	struct policy_errs E = { path, err, arg, 0 };
	struct dg_policy *p;
	cfg_t *cfg;
	char *buf;

	if ((buf = read_conf(&E)) == NULL)
		return NULL;
	cfg = parse_text(&E, buf);
	free(buf);
	if (cfg == NULL)
		return NULL;
	p = policy_compile(&E, cfg);
	if (E.n == 0 && dump != NULL)
		policy_dump_cfg(cfg, dump);
	cfg_free(cfg);
	if (E.n > 0) {
		policy_unref(p);
		return NULL;
	}
	return p;
}

struct dg_policy *policy_load(const char *path, conf_err_fn *err, void *arg)
{
	return load(path, err, arg, NULL);
}

struct dg_policy *policy_load_dump(const char *path, conf_err_fn *err,
				   void *arg, FILE *dump)
{
	return load(path, err, arg, dump);
}
