/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_compile.c: validates parsed configuration values and builds the
 * immutable struct dg_policy.  Every invalid value is reported with the
 * line it came from and compilation goes on, so one run lists them all;
 * errors go to the load's error sink (policy_err.c), never back into
 * the parser.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "cidr.h"
#include "listen.h"
#include "loginmap.h"
#include "mapspec.h"
#include "policy.h"
#include "policy_load.h"
#include "util.h"

static const struct cval *get(cfg_t *sec, const char *name)
{
	return cfg_getptr(sec, name);
}

static const struct cval *get_n(cfg_t *sec, const char *name, unsigned i)
{
	return cfg_getnptr(sec, name, i);
}

/* The line of a value, or of its section when the value is a default. */
static unsigned line_of(const struct cval *v, cfg_t *sec)
{
	return v->line ? v->line : (sec->line > 0 ? (unsigned)sec->line : 0);
}

static int choose(struct policy_errs *E, cfg_t *sec, const char *name,
		  const char *const *words, size_t nwords)
{
	const struct cval *v = get(sec, name);

	for (size_t i = 0; i < nwords; i++)
		if (strcmp(v->s, words[i]) == 0)
			return (int)i;
	policy_errf(E, line_of(v, sec), "%s: invalid value \"%.64s\"", name, v->s);
	return 0;
}

static bool boolean(struct policy_errs *E, cfg_t *sec, const char *name)
{
	static const char *const words[] = { "false", "true", "no", "yes", "off", "on" };

	return choose(E, sec, name, words, DG_ARRAY_LEN(words)) % 2 == 1;
}

static void reply(struct policy_errs *E, cfg_t *sec, const char *name,
		  struct dg_reply *r, char want_class)
{
	const struct cval *v = get(sec, name);
	char err[256];

	if (reply_parse(r, v->s, err, sizeof(err)) < 0) {
		policy_errf(E, line_of(v, sec), "%s: %s", name, err);
		return;
	}
	if (want_class && r->code[0] != want_class)
		policy_errf(E, line_of(v, sec), "%s: must be a %cxx reply", name, want_class);
}

static char **strings(cfg_t *sec, const char *name, size_t *n, bool upper)
{
	unsigned count = cfg_size(sec, name);
	char **v = xcalloc(count ? count : 1, sizeof(char *));

	for (unsigned i = 0; i < count; i++) {
		v[i] = xstrdup(get_n(sec, name, i)->s);
		for (char *c = v[i]; upper && *c; c++)
			*c = (char)toupper((unsigned char)*c);
	}
	*n = count;
	return v;
}

/* A port of 1 to 65535 in decimal, up to '\0' or '@' (then a host). */
static bool valid_port(const char *s)
{
	unsigned long port = 0;
	const char *p = s;

	for (; isdigit((unsigned char)*p) && p - s < 6; p++)
		port = port * 10 + (unsigned long)(*p - '0');
	if (p == s || port < 1 || port > 65535)
		return false;
	return *p == '\0' || (*p == '@' && p[1] != '\0');
}

int policy_socket_spec(const char *s, char *out, size_t outlen)
{
	const char *path = NULL;
	int n;

	if (s[0] == '/')		/* as libmilter and clamav-milter take it */
		path = s;
	else if (strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0)
		path = s + (s[0] == 'u' ? 5 : 6);
	if (path != NULL) {
		if (path[0] != '/' || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return -1;
		n = snprintf(out, outlen, "unix:%s", path);
	} else if ((strncmp(s, "inet:", 5) == 0 && valid_port(s + 5)) ||
		   (strncmp(s, "inet6:", 6) == 0 && valid_port(s + 6))) {
		n = snprintf(out, outlen, "%s", s);
	} else {
		return -1;
	}
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

bool policy_valid_socket(const char *s)
{
	char buf[DG_SOCKET_MAX];

	return policy_socket_spec(s, buf, sizeof(buf)) == 0;
}

/*
 * The name records carry, so that logs of many MTAs can be told apart
 * once a syslog server has merged them; the machine's name by default.
 * It is written into every record, so it must be a plain token.
 */
static void compile_host(struct policy_errs *E, cfg_t *cfg, struct dg_policy *p)
{
	const struct cval *v = get(cfg, "host");
	char name[DG_HOST_MAX + 1] = "";
	size_t n;

	if (v->s[0] == '\0' && gethostname(name, sizeof(name) - 1) != 0)
		snprintf(name, sizeof(name), "localhost");
	p->host = xstrdup(v->s[0] ? v->s : name);
	n = strlen(p->host);
	if (n == 0 || n > DG_HOST_MAX) {
		policy_errf(E, line_of(v, cfg), "host: must be 1 to %d characters", DG_HOST_MAX);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p->host[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			policy_errf(E, line_of(v, cfg), "host: \"%.64s\" has a blank, a quote, a backslash or a byte outside printable ASCII", p->host);
			return;
		}
	}
}

/* Resolved at load, so that -n and a reload catch a group that is gone. */
static void compile_socket_group(struct policy_errs *E, cfg_t *cfg, struct dg_policy *p)
{
	const struct cval *v = get(cfg, "socket_group");
	struct group *g;

	p->socket_group = xstrdup(v->s);
	p->socket_gid = (gid_t)-1;
	if (v->s[0] == '\0')
		return;
	errno = 0;
	if ((g = getgrnam(v->s)) == NULL)
		policy_errf(E, line_of(v, cfg), "socket_group: no group \"%.64s\"%s%s", v->s,
			    errno ? ": " : "", errno ? strerror(errno) : "");
	else
		p->socket_gid = g->gr_gid;
}

static void compile_root(struct policy_errs *E, cfg_t *cfg, struct dg_policy *p)
{
	static const char *const onerr[] = { "tempfail", "accept" };
	const struct cval *v;
	char *end, spec[DG_SOCKET_MAX];
	long mode;

	v = get(cfg, "socket");
	if (policy_socket_spec(v->s, spec, sizeof(spec)) != 0) {
		policy_errf(E, line_of(v, cfg), "socket: \"%.64s\" is not /path, unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST (PORT 1 to 65535)", v->s);
		snprintf(spec, sizeof(spec), "%s", v->s);
	}
	p->socket = xstrdup(spec);
	v = get(cfg, "socket_mode");
	errno = 0;
	mode = strtol(v->s, &end, 8);
	if (errno || *v->s == '\0' || *end != '\0' || mode < 0 || mode > 0777)
		policy_errf(E, line_of(v, cfg), "socket_mode: \"%.16s\" is not an octal mode like 0660", v->s);
	p->socket_mode = (mode_t)mode;
	p->mode = (enum dg_mode)choose(E, cfg, "mode", dg_mode_names,
				       DG_MODE_COUNT);
	p->on_error = (enum dg_on_error)choose(E, cfg, "on_error", onerr, 2);
	compile_host(E, cfg, p);
	compile_socket_group(E, cfg, p);
}

static void compile_auth(struct policy_errs *E, cfg_t *sec, struct dg_policy_auth *a)
{
	a->require = boolean(E, sec, "require");
	a->exempt = cidr_list_new();
	for (unsigned i = 0; i < cfg_size(sec, "exempt_networks"); i++) {
		const struct cval *v = get_n(sec, "exempt_networks", i);

		if (cidr_list_add(a->exempt, v->s) < 0)
			policy_errf(E, line_of(v, sec), "exempt_networks: \"%.64s\" is not an IPv4 or IPv6 network", v->s);
	}
	a->daemons = strings(sec, "daemons", &a->ndaemons, false);
	a->mechanisms = strings(sec, "mechanisms", &a->nmechanisms, true);
	a->exempt_logins = strings(sec, "exempt_logins", &a->nexempt_logins, false);
	a->plaintext_needs_tls = boolean(E, sec, "plaintext_needs_tls");
	reply(E, sec, "reply_unauthenticated", &a->unauthenticated, 0);
	reply(E, sec, "reply_plaintext", &a->plaintext, 0);
	reply(E, sec, "reply_mechanism", &a->mechanism, 0);
}

/* A map that cannot be read is the config line's error, not the map's:
 * the postmaster must learn which key named it. */
static bool readable_map(struct policy_errs *E, const struct cval *v, cfg_t *sec)
{
	struct stat st;

	if (stat(v->s, &st) != 0 || access(v->s, R_OK) != 0) {
		policy_errf(E, line_of(v, sec), "login_map: cannot read %s: %s",
			    v->s, strerror(errno));
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		policy_errf(E, line_of(v, sec), "login_map: %s is %s, not a map file",
			    v->s, S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		return false;
	}
	return true;
}

/* lookup_timeout in milliseconds: whole seconds, 1 to 60. */
static int lookup_timeout(struct policy_errs *E, cfg_t *sec)
{
	const struct cval *v = get(sec, "lookup_timeout");
	char *end;
	long n;

	errno = 0;
	n = strtol(v->s, &end, 10);
	if (errno || *v->s == '\0' || *end != '\0' || n < 1 || n > 60) {
		policy_errf(E, line_of(v, sec), "lookup_timeout: \"%.16s\" is not "
			    "a number of seconds from 1 to 60", v->s);
		return 5000;
	}
	return (int)n * 1000;
}

/* A file, or a socketmap:/tcp: server (mapspec.h). */
static void login_map(struct policy_errs *E, cfg_t *sec, struct dg_policy_senders *s)
{
	const struct cval *v = get(sec, "login_map");
	char err[512];
	int rc;

	s->login_map_path = xstrdup(v->s);
	s->map = loginmap_new();
	rc = mapspec_parse(v->s, lookup_timeout(E, sec), &s->remote, err, sizeof(err));
	if (rc < 0)
		policy_errf(E, line_of(v, sec), "login_map: %s", err);
	else if (rc == 0 && *v->s != '\0' && readable_map(E, v, sec))
		(void)loginmap_load(s->map, v->s, policy_err_other, E);
}

static void compile_senders(struct policy_errs *E, cfg_t *sec, struct dg_policy_senders *s)
{
	static const char *const unlisted[] = { "reject", "allow" };
	static const char *const nullsender[] = { "allow", "reject" };
	static const char *const header_from[] = { "ignore", "check" };

	login_map(E, sec, s);
	s->unlisted = (enum dg_unlisted)choose(E, sec, "unlisted", unlisted, 2);
	s->null_sender = (enum dg_null_sender)choose(E, sec, "null_sender", nullsender, 2);
	reply(E, sec, "reply", &s->reply, 0);
	reply(E, sec, "reply_lookup_error", &s->lookup_error, '4');
	s->header_from = (enum dg_header_from)choose(E, sec, "header_from", header_from, 2);
	reply(E, sec, "reply_header_from", &s->reply_header_from, 0);
	reply(E, sec, "reply_header_malformed", &s->reply_header_malformed, 0);
}

static bool valid_owned(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || strchr(at + 1, '@') != NULL || at[1] == '\0' || strlen(s) > 1024)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || *s == '<' || *s == '>')
			return false;
	return true;
}

static void compile_users(struct policy_errs *E, cfg_t *cfg, struct dg_policy_senders *s)
{
	s->inline_users = loginmap_new();
	for (unsigned i = 0; i < cfg_size(cfg, "user"); i++) {
		cfg_t *u = cfg_getnsec(cfg, "user", i);
		const char *login = cfg_title(u);

		if (login == NULL || *login == '\0') {
			policy_errf(E, (unsigned)u->line, "user: a block needs a login as its title");
			continue;
		}
		for (unsigned j = 0; j < cfg_size(u, "senders"); j++) {
			const struct cval *v = get_n(u, "senders", j);

			if (!valid_owned(v->s) || loginmap_add(s->inline_users, v->s, login) < 0)
				policy_errf(E, line_of(v, u), "user \"%.64s\": senders: \"%.64s\" is not user@domain or @domain", login, v->s);
		}
	}
}

static enum dg_action action(struct policy_errs *E, cfg_t *sec, enum dg_class c)
{
	const char *name = dg_class_name(c);
	const struct cval *v = get(sec, name);
	int a = dg_action_from_name(v->s);

	if (a < 0) {
		policy_errf(E, line_of(v, sec), "%s: invalid value \"%.64s\"", name, v->s);
		return dg_class_default_action(c);
	}
	return (enum dg_action)a;
}

static bool valid_header_name(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || *s == ':')
			return false;
	return true;
}

static void compile_body(struct policy_errs *E, cfg_t *sec, struct dg_policy_body *b)
{
	const struct cval *v;
	char *end;
	long n;

	for (int c = 0; c < DG_CLASS_COUNT; c++)
		b->action[c] = action(E, sec, (enum dg_class)c);
	v = get(sec, "max_line_length");
	errno = 0;
	n = strtol(v->s, &end, 10);
	if (errno || *v->s == '\0' || *end != '\0' || n < 1 || n > 1000000)
		policy_errf(E, line_of(v, sec), "max_line_length: \"%.16s\" is not a number from 1 to 1000000", v->s);
	b->max_line_length = n > 0 ? (size_t)n : 998;
	v = get(sec, "tag_header");
	if (!valid_header_name(v->s))
		policy_errf(E, line_of(v, sec), "tag_header: \"%.64s\" is not a header field name", v->s);
	b->tag_header = xstrdup(v->s);
	b->exempt_logins = strings(sec, "exempt_logins", &b->nexempt_logins, false);
	reply(E, sec, "reply_reject", &b->reject, '5');
	reply(E, sec, "reply_tempfail", &b->tempfail, '4');
}

static const struct { const char *name; int value; } facilities[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

/* A policy that can never be satisfied is refused at load: required
 * with no sink that keeps records would defer every message. */
static void compile_required(struct policy_errs *E, cfg_t *sec,
			     struct dg_policy_audit *a)
{
	a->required = boolean(E, sec, "required");
	reply(E, sec, "reply_required", &a->reply_required, '4');
	if (a->required && !a->syslog && a->file[0] == '\0' && !E->partial)
		policy_errf(E, line_of(get(sec, "required"), sec),
			    "required: true needs a sink that keeps records "
			    "(audit.file, or syslog = true)");
}

static void compile_audit(struct policy_errs *E, cfg_t *sec, struct dg_policy_audit *a)
{
	const struct cval *v = get(sec, "facility");
	size_t i;

	a->syslog = boolean(E, sec, "syslog");
	for (i = 0; i < DG_ARRAY_LEN(facilities); i++)
		if (strcmp(v->s, facilities[i].name) == 0)
			break;
	if (i == DG_ARRAY_LEN(facilities))
		policy_errf(E, line_of(v, sec), "facility: \"%.32s\" is not mail, daemon, user or local0..local7", v->s);
	a->facility = i < DG_ARRAY_LEN(facilities) ? facilities[i].value : LOG_MAIL;
	v = get(sec, "syslog_socket");
	if (*v->s != '/' || strlen(v->s) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		policy_errf(E, line_of(v, sec), "syslog_socket: \"%.64s\" must be an absolute path under %zu bytes",
			    v->s, sizeof(((struct sockaddr_un *)0)->sun_path));
	a->syslog_socket = xstrdup(v->s);
	v = get(sec, "file");
	if (*v->s != '\0' && *v->s != '/')
		policy_errf(E, line_of(v, sec), "file: \"%.64s\" must be an absolute path", v->s);
	a->file = xstrdup(v->s);
	compile_required(E, sec, a);
}

/* Off unless listen is set; a remote address must be asked for (unless
 * the parse stopped early: allow_remote may be in the part not read). */
static void compile_metrics(struct policy_errs *E, cfg_t *sec, struct dg_policy_metrics *m)
{
	const struct cval *v = get(sec, "listen");
	struct listen_addr la;
	char err[256];

	m->allow_remote = boolean(E, sec, "allow_remote");
	m->listen = xstrdup(v->s);
	if (*v->s == '\0')
		return;
	if (listen_parse(v->s, &la, err, sizeof(err)) < 0)
		policy_errf(E, line_of(v, sec), "listen: \"%.64s\": %s", v->s, err);
	else if (!la.loopback && !m->allow_remote && !E->partial)
		policy_errf(E, line_of(v, sec), "listen: \"%.64s\" is not a loopback address "
			    "(set allow_remote = true to serve metrics to other hosts)", v->s);
}

struct dg_policy *policy_compile(struct policy_errs *E, cfg_t *cfg)
{
	struct dg_policy *p = xcalloc(1, sizeof(*p));

	atomic_init(&p->refs, 1);
	p->path = xstrdup(E->path);
	compile_root(E, cfg, p);
	compile_auth(E, cfg_getsec(cfg, "auth"), &p->auth);
	compile_senders(E, cfg_getsec(cfg, "senders"), &p->senders);
	compile_users(E, cfg, &p->senders);
	compile_body(E, cfg_getsec(cfg, "body"), &p->body);
	compile_audit(E, cfg_getsec(cfg, "audit"), &p->audit);
	compile_metrics(E, cfg_getsec(cfg, "metrics"), &p->metrics);
	return p;
}
