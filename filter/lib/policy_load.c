/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_load.c: reads dotgate.conf with libconfuse and compiles it into
 * an immutable struct dg_policy (see policy.h).
 *
 * libconfuse keeps no line number on a parsed value, so every value goes
 * through a parse callback that records its line (struct cval), and the
 * compiler reports FILE:LINE for each invalid one.  What libconfuse finds
 * itself comes through its error function with the line of the section
 * being parsed.
 *
 * How many errors one load lists ("dotgate -n", dotgate(8)): libconfuse
 * goes on after an unknown "key = value" (with CFGF_KEYSTRVAL it reports
 * the key and keeps it aside) and after a key given twice (reported by
 * the parse callback), and every value it has read is compiled, so all of
 * these and every invalid value are listed.  After anything else (a
 * syntax error, an unknown block or list, a duplicate user title) its
 * parser cannot resume: that error ends the parse, the values read so
 * far are still compiled, and the rest of the file is not checked.  Any
 * guess at where a broken statement ends would report errors that are
 * not in the file.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <confuse.h>

#include "anomaly.h"
#include "policy.h"
#include "policy_load.h"
#include "util.h"

#define CONF_MAX_BYTES (1024 * 1024)

/* One parse: where its errors go, and the keys it has set. */
struct parse {
	struct policy_errs *E;
	struct set_key {		/* a key set in the file */
		const cfg_t *sec;	/* in this section instance */
		const char *name;
		unsigned line;
	} *keys;
	size_t nkeys;
};

/*
 * libconfuse's scanner keeps its state in globals (flex, not reentrant),
 * cfg_init() and cfg_free() use it too, and neither its error function
 * nor a parse callback gets a user pointer: one load at a time runs in
 * the process, under this lock, and `parsing` is its parse.
 */
static pthread_mutex_t parse_lock = PTHREAD_MUTEX_INITIALIZER;
static struct parse *parsing;

/*
 * libconfuse lets a later "key = value" silently replace an earlier one,
 * and frees the earlier value before the parse callback sees the later:
 * so the keys set in this file are remembered here.  A postmaster who set
 * a key twice meant one of them, so that is an error at the second line,
 * naming the first (dotgate.conf(5)).  Lists may be given again.
 * Returns the line of the first, or 0 (remembering this one).
 */
static unsigned set_before(struct parse *P, const cfg_t *sec,
			   const cfg_opt_t *opt, unsigned line)
{
	for (size_t i = 0; i < P->nkeys; i++)
		if (P->keys[i].sec == sec && strcmp(P->keys[i].name, opt->name) == 0)
			return P->keys[i].line;
	P->keys = xrealloc(P->keys, (P->nkeys + 1) * sizeof(*P->keys));
	P->keys[P->nkeys++] = (struct set_key){ sec, opt->name, line };
	return 0;
}

/* Line 0 is a built-in default, parsed by cfg_init(). */
static int cval_parse(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	unsigned line = cfg && cfg->line > 0 ? (unsigned)cfg->line : 0;
	unsigned first;
	struct cval *v;

	if (line > 0 && !(opt->flags & CFGF_LIST)
	    && (first = set_before(parsing, cfg, opt, line)) != 0)
		cfg_error(cfg, "option '%s' given twice (first at line %u)",
			  opt->name, first);
	v = xmalloc(sizeof(*v));
	v->s = xstrdup(value);
	v->line = line;
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
	VAL("header_from", "ignore"),
	VAL("reply_header_from", "553 5.7.1 <%s>: From header address not owned by user %u"),
	VAL("reply_header_malformed", "550 5.7.1 From header missing, repeated or unreadable"),
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
	VAL("required", "false"),
	VAL("reply_required", "451 4.3.0 Audit log unavailable, try again later"),
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

/*
 * With CFGF_KEYSTRVAL libconfuse reports an unknown key, adds it to its
 * section as a string key (ours are all pointers or sections) and reads
 * its value.  When that value is a list or a block, it stops there with
 * an error about the value, which the key's own error already covers:
 * an error while such a key is still without a value is not reported.
 */
static bool in_unknown_key(const cfg_t *sec)
{
	for (const cfg_opt_t *o = sec->opts; o->name != NULL; o++)
		if (o->type == CFGT_STR && o->nvalues == 0)
			return true;
	return false;
}

/* The section being parsed follows the lexer (the root lags behind
 * while a subsection is open), so its line is where the error is. */
static void on_cfg_error(cfg_t *cfg, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void on_cfg_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512];

	if (cfg != NULL && in_unknown_key(cfg))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	policy_errf(parsing->E, cfg && cfg->line > 0 ? (unsigned)cfg->line : 0,
		    "%s", msg);
}

/* Blanks the comment at s, newlines kept; returns the byte after it. */
static char *blank_comment(char *s)
{
	bool block = s[0] == '/' && s[1] == '*';

	if (block) {
		s[0] = s[1] = ' ';
		s += 2;
	}
	for (; *s != '\0'; s++) {
		if (block && s[0] == '*' && s[1] == '/') {
			s[0] = s[1] = ' ';
			return s + 2;
		}
		if (*s == '\n' && !block)
			break;
		if (*s != '\n')
			*s = ' ';
	}
	return s;
}

/*
 * libconfuse 3.3 counts the line of a '#' or '//' comment three times and
 * that of a block comment twice, so every line number after a comment
 * would be wrong.  Comments are therefore blanked here (newlines kept)
 * before the text reaches libconfuse, found as its scanner finds them:
 * not in a string ("..." or '...', a backslash escaping the next byte),
 * and '//' or a block comment not inside an unquoted word ("/a//b" is
 * one word).
 */
static void blank_comments(char *s)
{
	char quote = 0;
	bool word = false;	/* the byte before s ends an unquoted word */

	while (*s != '\0') {
		if (quote) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == quote)
				quote = 0;
			s++;
		} else if (*s == '#' || (!word && *s == '/' && (s[1] == '/' || s[1] == '*'))) {
			s = blank_comment(s);
			word = false;
		} else {
			if (*s == '"' || *s == '\'')
				quote = *s;
			word = strchr(" #\"'\t\n\r={}()+,*", *s) == NULL;
			s++;
		}
	}
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

/* Returns the tree, complete or as far as the parse got (E->partial). */
static cfg_t *parse_text(struct policy_errs *E, char *buf)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int n = E->n;
	cfg_t *cfg;

	if (pthread_once(&once, make_body_opts) != 0)
		dg_panic("cannot build the body block's options");
	if ((cfg = cfg_init(root_opts, CFGF_KEYSTRVAL)) == NULL)
		dg_panic("cfg_init failed");
	cfg_set_error_function(cfg, on_cfg_error);
	blank_comments(buf);
	if (cfg_parse_buf(cfg, buf) != CFG_SUCCESS) {
		E->partial = true;
		if (E->n == n)
			policy_errf(E, 0, "syntax error");
	}
	return cfg;
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
	struct policy_errs E = { .path = path, .fn = err, .arg = arg };
	struct parse P = { .E = &E };
	struct dg_policy *p;
	cfg_t *cfg;
	char *buf;

	if ((buf = read_conf(&E)) == NULL)
		return NULL;
	if (pthread_mutex_lock(&parse_lock) != 0)
		dg_panic("cannot lock the configuration parser");
	parsing = &P;
	cfg = parse_text(&E, buf);
	p = policy_compile(&E, cfg);
	if (E.n == 0 && dump != NULL)
		policy_dump_cfg(cfg, dump);
	cfg_free(cfg);
	parsing = NULL;
	if (pthread_mutex_unlock(&parse_lock) != 0)
		dg_panic("cannot unlock the configuration parser");
	free(P.keys);
	free(buf);
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
