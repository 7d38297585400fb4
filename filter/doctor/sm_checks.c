/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sm_checks.c: the Sendmail checks of dotgate-doctor(8), "SENDMAIL
 * CHECKS": the version against the release that fixed SMTP smuggling,
 * the srv_features letters that turn its protections off, and whether
 * every daemon hands its mail to dotgate, on dotgate's socket, with
 * F=T and timeouts that fit dotgate (see doctor.h).
 */
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "mapspec.h"
#include "util.h"

#define SM_MC "sendmail.mc"
#define SM_DEFAULT_SOCKET "local:/run/dotgate/dotgate.sock"
#define SM_FILTER_EQUATES "F=T, T=C:10s;S:30s;R:60s;E:5m"

/* What every check needs; rebuild is the command that remakes the .cf
 * from its .mc, by the .cf's own path. */
struct sm_ctx {
	struct dr_report *r;
	const struct sm_conf *sm;
	const struct dg_policy *p;
	char rebuild[1200];
};

/* Sendmail's default milter timeouts, seconds (dotgate-doctor(8),
 * "SENDMAIL CHECKS"): C connect, S send, R read a reply, E end of message. */
static const char sm_tkeys[4] = { 'C', 'S', 'R', 'E' };
static const long sm_tdefault[4] = { 300, 10, 10, 300 };

/* The DZ version, compared with 8.18.1: <0, 0, >0; -2 unparsable. */
static int version_cmp(const char *v)
{
	static const long fixed[3] = { 8, 18, 1 };
	long part[3] = { 0, 0, 0 };

	for (int i = 0; i < 3 && *v >= '0' && *v <= '9'; i++) {
		char *end;
		part[i] = strtol(v, &end, 10);
		v = *end == '.' ? end + 1 : end;
	}
	if (part[0] == 0)
		return -2;
	for (int i = 0; i < 3; i++)
		if (part[i] != fixed[i])
			return part[i] < fixed[i] ? -1 : 1;
	return 0;
}

/*
 * Debian 12 backported the 8.18.1 fix into 8.17.1.9-2+deb12u1; its .cf
 * files say so in DZ ("8.17.1.9/Debian-2+deb12u2", confCF_VERSION).
 */
static bool debian_backport(const char *v)
{
	const char *u = strstr(v, "+deb12u");

	return strncmp(v, "8.17.1.9/Debian-", 16) == 0 && u &&
	       strtol(u + 7, NULL, 10) >= 1;
}

static void check_version(const struct sm_ctx *x)
{
	struct dr_report *r = x->r;
	const struct sm_conf *sm = x->sm;
	char fix[1400];
	const char *v = sm->version ? sm->version : "(no DZ line)";
	int c = sm->version ? version_cmp(sm->version) : -2;

	snprintf(fix, sizeof fix, "apt-get install sendmail-bin sendmail-cf "
		 "(8.18.1 or later), then %s", x->rebuild);
	if (c == -2)
		dr_add(r, DR_WARN, "sendmail.cf", "DZ (version)", v, x->rebuild,
		       "the configuration does not say which Sendmail it was "
		       "built for, so its SMTP smuggling fix (8.18.1) cannot be "
		       "checked");
	else if (c < 0 && debian_backport(v))
		dr_add(r, DR_WARN, "sendmail.cf", "DZ (version)", v, fix,
		       "Debian backported the SMTP smuggling fix of 8.18.1 "
		       "(CVE-2023-51765) into this release, with its strict "
		       "defaults; 8.18.1 and later have it upstream");
	else if (c < 0)
		dr_add(r, DR_RISK, "sendmail.cf", "DZ (version)", v, fix,
		       "Sendmail before 8.18.1 ends DATA on a dot line with bare "
		       "LF (SMTP smuggling, CVE-2023-51765) unless its vendor "
		       "backported the fix, which this DZ does not show");
	else
		dr_add(r, DR_OK, "sendmail.cf", "DZ (version)", v, "",
		       "Sendmail 8.18.1 and later refuse bare CR, bare LF and a "
		       "non-CRLF end of DATA unless srv_features says otherwise");
}

/* dotgate refuses class c itself: enforce mode, tempfail or reject. */
static bool dotgate_stops(const struct dg_policy *p, enum dg_class c)
{
	return p && p->mode == DG_MODE_ENFORCE &&
	       p->body.action[c] >= DG_ACT_TEMPFAIL;
}

struct letters {
	enum dr_level level;
	char why[512];			/* what the letters do, joined */
	char safe[64];			/* the letters to write instead */
};

static void why_add(struct letters *l, enum dr_level level, const char *what)
{
	size_t n = strlen(l->why);

	snprintf(l->why + n, sizeof l->why - n, "%s%s", n ? "; " : "", what);
	if (level > l->level)
		l->level = level;
}

/*
 * The letters that turn one of Sendmail's protections off (dotgate-doctor(8),
 * "SENDMAIL CHECKS"): what each does, dotgate's class that still refuses
 * what it lets in (-1: none can), its worst level, and what the fix
 * writes instead ("" drops it).
 */
static const struct off_letter {
	char letter;
	int cls;
	enum dr_level worst;
	const char *what;
	const char *instead;
} off_letters[] = {
	{ 'O', -1, DR_RISK, "O ends DATA on a dot line without CRLF, in "
	  "Sendmail, before dotgate sees the message", "" },
	{ 'U', DG_CLASS_BARE_CR, DR_RISK, "U accepts a bare CR and relays it, "
	  "and only dotgate's bare_cr action refuses it", "u2" },
	{ 'G', DG_CLASS_BARE_LF, DR_RISK, "G accepts a bare LF and relays it, "
	  "and only dotgate's bare_lf action refuses it", "g2" },
	{ 'F', -1, DR_WARN, "F lets clients pipeline past EHLO and DATA "
	  "(transaction stuffing)", "" },
};

/*
 * Judge one answer, word by word, each by its first letter as Sendmail
 * reads it; an answer for some clients only is at most a warn.
 */
static void judge_letters(struct letters *l, const char *s, bool everyone,
			  const struct dg_policy *p)
{
	memset(l, 0, sizeof *l);
	while (*s) {
		size_t n = strlen(l->safe), w;
		const struct off_letter *o = NULL;
		const char *keep = s;

		if (*s == ' ' || *s == '\t') {
			s++;
			continue;
		}
		w = strcspn(s, " \t");
		for (size_t i = 0; i < sizeof off_letters / sizeof *off_letters; i++)
			if (off_letters[i].letter == *s)
				o = &off_letters[i];
		if (o) {
			enum dr_level lv = everyone ? o->worst : DR_WARN;
			if (o->cls >= 0 && dotgate_stops(p, (enum dg_class)o->cls))
				lv = DR_WARN;
			why_add(l, lv, o->what);
			keep = o->instead;
		}
		if (*keep)
			snprintf(l->safe + n, sizeof l->safe - n, "%s%.*s",
				 n ? " " : "", o ? (int)strlen(keep) : (int)w, keep);
		s += w;
	}
}

static void feature_finding(const struct sm_ctx *x, const struct sm_srvfeat *f,
			    const struct letters *l)
{
	char fix[2048];
	const char *cf = x->sm->path ? x->sm->path : "sendmail.cf";
	bool in_cf = strncmp(f->origin, cf, strlen(cf)) == 0 &&
		     f->origin[strlen(cf)] == ':';

	if (in_cf && *l->safe)
		snprintf(fix, sizeof fix, "make the LOCAL_SRV_FEATURES rule of "
			 SM_MC " return \"$# %s\" instead (%s), then %s",
			 l->safe, f->origin, x->rebuild);
	else if (in_cf)
		snprintf(fix, sizeof fix, "delete the LOCAL_SRV_FEATURES rule "
			 "of " SM_MC " (%s), then %s", f->origin, x->rebuild);
	else if (*l->safe)
		snprintf(fix, sizeof fix, "in %.*s set \"Srv_Features:%s %s\", "
			 "then makemap hash %.*s < %.*s",
			 (int)strcspn(f->origin, ":"), f->origin, f->client,
			 l->safe, (int)strcspn(f->origin, ":"), f->origin,
			 (int)strcspn(f->origin, ":"), f->origin);
	else
		snprintf(fix, sizeof fix, "delete line %s, then makemap hash "
			 "%.*s < %.*s", f->origin,
			 (int)strcspn(f->origin, ":"), f->origin,
			 (int)strcspn(f->origin, ":"), f->origin);
	dr_add(x->r, l->level, "sendmail.cf", "srv_features", f->letters, fix,
	       "for %s%s (%s): %s", *f->client ? "clients matching " : "every client",
	       f->client, f->origin, l->why);
}

static void check_features(const struct sm_ctx *x)
{
	struct dr_report *r = x->r;
	const struct sm_conf *sm = x->sm;
	bool bad = false;

	for (size_t i = 0; i < sm->nfeat; i++) {
		struct letters l;
		judge_letters(&l, sm->feat[i].letters, *sm->feat[i].client == '\0',
			      x->p);
		if (*l.why == '\0')
			continue;
		feature_finding(x, &sm->feat[i], &l);
		bad = true;
	}
	if (sm->srv_access && sm->access_text == NULL)
		dr_add(r, DR_WARN, "sendmail.cf", "srv_features",
		       sm->access_map ? sm->access_map : "(access map)",
		       "look for O, U, G or F in the map's Srv_Features: "
		       "entries (on Debian: grep -i '^Srv_Features:' "
		       "/etc/mail/access)", "srv_features answers from the access map, whose text "
		       "source could not be read: its Srv_Features: entries are "
		       "not checked");
	else if (!bad)
		dr_add(r, DR_OK, "sendmail.cf", "srv_features",
		       sm->nfeat ? "(no O, U, G or F)" : "(none)", "",
		       "no srv_features answer turns off Sendmail's refusal of "
		       "bare CR, bare LF or a non-CRLF end of DATA");
}

/* Sendmail's and dotgate's spellings of a socket, made comparable. */
static bool same_socket(const char *sm_spec, const char *dg_spec)
{
	char a[DG_SOCKET_MAX], b[DG_SOCKET_MAX];

	return sm_spec && dg_spec &&
	       policy_socket_spec(sm_spec, a, sizeof a) == 0 &&
	       policy_socket_spec(dg_spec, b, sizeof b) == 0 &&
	       strcmp(a, b) == 0;
}

/* dotgate's X line: the one on dotgate's socket, else the one named so. */
static const struct sm_milter *find_dotgate(const struct sm_conf *sm,
					    const struct dg_policy *p)
{
	for (size_t i = 0; p && i < sm->nmilter; i++)
		if (same_socket(sm->milter[i].socket, p->socket))
			return &sm->milter[i];
	for (size_t i = 0; i < sm->nmilter; i++)
		if (dg_strcasecmp_ascii(sm->milter[i].name, "dotgate") == 0)
			return &sm->milter[i];
	return NULL;
}

static const char *dg_socket(const struct dg_policy *p)
{
	return p && p->socket ? p->socket : SM_DEFAULT_SOCKET;
}

static void check_socket(const struct sm_ctx *x, const struct sm_milter *m)
{
	struct dr_report *r = x->r;
	const struct dg_policy *p = x->p;
	char fix[2048], setting[160];

	snprintf(fix, sizeof fix, "add \"INPUT_MAIL_FILTER(`dotgate', `S=%s, "
		 SM_FILTER_EQUATES "')dnl\" to " SM_MC ", then %s",
		 dg_socket(p), x->rebuild);
	if (m == NULL) {
		dr_add(r, DR_RISK, "sendmail.cf", "X (mail filter)", "(none)", fix,
		       "no mail filter definition names dotgate or its socket %s: "
		       "Sendmail never asks dotgate", dg_socket(p));
		return;
	}
	snprintf(setting, sizeof setting, "X%.64s S=", m->name);
	if (p == NULL)
		return;		/* nothing to compare the socket with */
	if (same_socket(m->socket, p->socket))
		dr_add(r, DR_OK, "sendmail.cf", setting, m->socket, "",
		       "Sendmail connects to the socket dotgate listens on");
	else
		dr_add(r, DR_RISK, "sendmail.cf", setting,
		       m->socket ? m->socket : "(none)", fix,
		       "dotgate listens on %s, so Sendmail's filter %s cannot "
		       "reach it", p->socket, m->name);
}

static void check_flags(const struct sm_ctx *x, const struct sm_milter *m)
{
	struct dr_report *r = x->r;
	char fix[2048], setting[160];
	const char *f = m->flags ? m->flags : "";

	snprintf(setting, sizeof setting, "X%.64s F=", m->name);
	snprintf(fix, sizeof fix, "add \"INPUT_MAIL_FILTER(`%s', `S=%s, "
		 SM_FILTER_EQUATES "')dnl\" to " SM_MC " in place of its "
		 "current definition, then %s", m->name,
		 m->socket ? m->socket : dg_socket(x->p), x->rebuild);
	if (strchr(f, 'R'))
		dr_add(r, DR_WARN, "sendmail.cf", setting, f, fix,
		       "when dotgate is down or does not answer in time Sendmail "
		       "rejects the mail (5xx) for good instead of deferring it");
	else if (strchr(f, 'T'))
		dr_add(r, DR_OK, "sendmail.cf", setting, f, "",
		       "when dotgate is down or does not answer in time Sendmail "
		       "defers the mail (4xx) and the client retries");
	else
		dr_add(r, DR_RISK, "sendmail.cf", setting, *f ? f : "(none)", fix,
		       "when dotgate is down or does not answer in time Sendmail "
		       "passes the mail on unchecked, as if there were no filter");
}

/* T=C:10s;S:30s;R:60s;E:5m into seconds (units s, m, h; bare: s). */
static int parse_timeouts(const char *t, long out[4])
{
	memcpy(out, sm_tdefault, sizeof sm_tdefault);
	while (t && *t) {
		const char *k = memchr(sm_tkeys, *t, sizeof sm_tkeys);
		char *end;
		long v;
		if (k == NULL || t[1] != ':' || t[2] < '0' || t[2] > '9')
			return -1;
		v = strtol(t + 2, &end, 10);
		if (*end == 'm')
			v *= 60, end++;
		else if (*end == 'h')
			v *= 3600, end++;
		else if (*end == 's')
			end++;
		if ((*end != ';' && *end != '\0') || v < 0 || v > 86400 * 7)
			return -1;
		out[k - sm_tkeys] = v;
		t = *end ? end + 1 : end;
	}
	return 0;
}

static void check_timeouts(const struct sm_ctx *x, const struct sm_milter *m)
{
	struct dr_report *r = x->r;
	const struct dg_policy *p = x->p;
	char setting[160], value[128], fix[2048];
	long t[4];
	long map_s = p && p->senders.remote ?
		(p->senders.remote->timeout_ms + 999) / 1000 : 0;

	snprintf(setting, sizeof setting, "X%.64s T=", m->name);
	snprintf(fix, sizeof fix, "set \"T=C:10s;S:30s;R:60s;E:5m\" in the "
		 "INPUT_MAIL_FILTER(`%s', ...) line of " SM_MC ", then %s",
		 m->name, x->rebuild);
	if (parse_timeouts(m->timeouts, t) < 0) {
		dr_add(r, DR_WARN, "sendmail.cf", setting, m->timeouts, fix,
		       "Sendmail cannot read these timeouts the way they are "
		       "written (keys C, S, R, E; units s, m, h)");
		return;
	}
	snprintf(value, sizeof value, "C:%lds;S:%lds;R:%lds;E:%lds",
		 t[0], t[1], t[2], t[3]);
	if (t[1] == 0 || t[2] == 0 || t[3] == 0)
		dr_add(r, DR_WARN, "sendmail.cf", setting, value, fix,
		       "a timeout of 0 has no limit: a stuck dotgate holds "
		       "every SMTP session instead of F= deciding");
	else if (t[2] < map_s || t[3] < map_s)
		dr_add(r, DR_WARN, "sendmail.cf", setting, value, fix,
		       "a login map lookup may take %lds, longer than Sendmail "
		       "waits for dotgate's reply: slow lookups become F= failures",
		       map_s);
	else
		dr_add(r, DR_OK, "sendmail.cf", setting, value, "",
		       "a stuck dotgate is given up after these limits and F= "
		       "decides the mail");
}

/* Is name in a filter list ("a, b" globally, "a;b" in a daemon)? */
static bool in_filter_list(const char *list, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *p = list, *end = list + len;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ',' || *p == ';'))
			p++;
		size_t w = 0;
		while (p + w < end && !strchr(" \t,;", p[w]))
			w++;
		if (w == n && strncmp(p, name, n) == 0)
			return true;
		p += w;
	}
	return false;
}

/* A daemon's Name= ("Daemon#" when it has none, as Sendmail names it). */
static void daemon_name(const struct sm_conf *sm, size_t i, char *out,
			size_t outlen)
{
	size_t n;
	const char *v = sm_field(sm->daemon_opts[i], 'N', &n);

	if (v && n > 0)
		snprintf(out, outlen, "%.*s", (int)(n < 64 ? n : 64), v);
	else
		snprintf(out, outlen, "Daemon%zu", i);
}

/* One daemon (i, or the global list when the .cf has no daemon line). */
static void check_daemon(const struct sm_ctx *x, size_t i, const char *filter)
{
	struct dr_report *r = x->r;
	const struct sm_conf *sm = x->sm;
	char name[80], fix[2048], list[1024];
	size_t n = 0;
	const char *own = sm->ndaemon ? sm_field(sm->daemon_opts[i], 'I', &n) : NULL;

	snprintf(list, sizeof list, "%.*s", own ? (int)n : (int)sizeof list,
		 own ? own : sm->input_filters ? sm->input_filters : "");
	if (sm->ndaemon)
		daemon_name(sm, i, name, sizeof name);
	else
		snprintf(name, sizeof name, "sendmail.cf");
	if (own)
		snprintf(fix, sizeof fix, "add %s to InputMailFilters= in the "
			 "DAEMON_OPTIONS(`...Name=%s...') line of " SM_MC
			 " (InputMailFilters=%.512s;%s), then %s",
			 filter, name, list, filter, x->rebuild);
	else
		snprintf(fix, sizeof fix, "add \"INPUT_MAIL_FILTER(`%s', `S=%s, "
			 SM_FILTER_EQUATES "')dnl\" to " SM_MC ", then %s",
			 filter, dg_socket(x->p), x->rebuild);
	if (in_filter_list(list, strlen(list), filter))
		dr_add(r, DR_OK, name, "InputMailFilters", list, "",
		       "mail this daemon accepts goes through dotgate");
	else
		dr_add(r, DR_RISK, name, "InputMailFilters", *list ? list : "(none)",
		       fix, "mail this daemon accepts never reaches dotgate "
		       "(filter %s is not in its list)", filter);
}

/*
 * dotgate.conf's auth.daemons against the daemons' names: Sendmail hands
 * Name= to the filter as {daemon_name}, and a daemon not in the list is
 * exempt from the sender rules (dotgate.conf(5), THE AUTH SECTION).
 */
static void check_auth_daemons(struct dr_report *r, const struct sm_conf *sm,
			       const struct dg_policy *p)
{
	char names[512] = "", want[512] = "", name[80];
	bool any = false;

	if (p == NULL || p->auth.ndaemons == 0 || sm->ndaemon == 0)
		return;
	for (size_t i = 0; i < sm->ndaemon; i++) {
		size_t n = strlen(names);
		daemon_name(sm, i, name, sizeof name);
		snprintf(names + n, sizeof names - n, "%s%s", n ? ", " : "", name);
		for (size_t j = 0; j < p->auth.ndaemons; j++)
			any |= dg_strcasecmp_ascii(p->auth.daemons[j], name) == 0;
	}
	for (size_t j = 0; j < p->auth.ndaemons; j++) {
		size_t n = strlen(want);
		snprintf(want + n, sizeof want - n, "%s\"%s\"", n ? ", " : "",
			 p->auth.daemons[j]);
	}
	if (any)
		dr_add(r, DR_OK, "dotgate.conf", "auth.daemons", want, "",
		       "the sender rules apply on the daemons named there "
		       "(Sendmail's daemons: %s)", names);
	else
		dr_add(r, DR_WARN, "dotgate.conf", "auth.daemons", want, "",
		       "no Sendmail daemon has one of these names (they are: %s), "
		       "so the sender rules apply on none: name the submission "
		       "daemon in auth.daemons in %s and reload dotgate",
		       names, p->path);
}

/* dotgate.conf's mode: in monitor mode dotgate refuses nothing, so what
 * the checks above count on it to refuse passes (dotgate.conf(5)). */
static void check_mode(struct dr_report *r, const struct dg_policy *p)
{
	if (p == NULL)
		return;
	if (p->mode == DG_MODE_MONITOR)
		dr_add(r, DR_WARN, "dotgate.conf", "mode", "monitor", "",
		       "dotgate records what it would refuse and refuses "
		       "nothing: set mode = enforce in %s and reload dotgate "
		       "once its records look right", p->path);
	else
		dr_add(r, DR_OK, "dotgate.conf", "mode", "enforce", "",
		       "dotgate refuses what its policy refuses");
}

void sm_check(struct dr_report *r, const struct sm_conf *sm,
	      const struct dg_policy *p)
{
	struct sm_ctx x = { r, sm, p, "" };
	const char *cf = sm->path ? sm->path : "/etc/mail/sendmail.cf";
	size_t n = strlen(cf);
	const struct sm_milter *m = find_dotgate(sm, p);

	if (n > 3 && strcmp(cf + n - 3, ".cf") == 0)
		n -= 3;
	snprintf(x.rebuild, sizeof x.rebuild, "m4 %.*s.mc > %.500s, and restart "
		 "Sendmail", (int)(n < 500 ? n : 500), cf, cf);
	check_version(&x);
	check_features(&x);
	check_socket(&x, m);
	if (m) {
		check_flags(&x, m);
		check_timeouts(&x, m);
	}
	for (size_t i = 0; i < (sm->ndaemon ? sm->ndaemon : 1); i++)
		check_daemon(&x, i, m ? m->name : "dotgate");
	check_auth_daemons(r, sm, p);
	check_mode(r, p);
}
