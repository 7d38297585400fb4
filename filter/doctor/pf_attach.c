/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_attach.c: is dotgate among the milters of each Postfix service that
 * accepts mail, does the socket that service names lead, from inside its
 * chroot, to the socket dotgate listens on, and can the postfix user
 * connect to it (dotgate-doctor(8), "POSTFIX CHECKS"; see pf_checks.h).
 */
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "pf_checks.h"

struct entry {
	char spec[PF_VALUE_MAX];
	char defact[32];
	char proto[32];
};

/* Where a milter socket is: a file, or a TCP port. */
struct endpoint {
	bool is_unix;
	char path[PATH_MAX];		/* as the host sees it */
	char host[256];
	int port;
};

static void trim_copy(char *dst, size_t len, const char *s, size_t n)
{
	while (n && strchr(" \t\r\n", *s))
		s++, n--;
	while (n && strchr(" \t\r\n", s[n - 1]))
		n--;
	snprintf(dst, len, "%.*s", (int)n, s);
}

/* "{ spec, name = value, ... }" into e; Postfix ignores blanks around '='. */
static void parse_braces(const char *in, size_t n, struct entry *e)
{
	const char *end = in + n;
	bool first = true;

	while (in < end) {
		size_t k = strcspn(in, ",");
		char item[PF_VALUE_MAX], *eq;

		if (in + k > end)
			k = (size_t)(end - in);
		trim_copy(item, sizeof(item), in, k);
		in += k + 1;
		if (first) {
			snprintf(e->spec, sizeof(e->spec), "%s", item);
			first = false;
		} else if ((eq = strchr(item, '=')) != NULL) {
			char key[64], val[32];

			trim_copy(key, sizeof(key), item, (size_t)(eq - item));
			trim_copy(val, sizeof(val), eq + 1, strlen(eq + 1));
			if (strcmp(key, "default_action") == 0)
				snprintf(e->defact, sizeof(e->defact), "%s", val);
			else if (strcmp(key, "protocol") == 0)
				snprintf(e->proto, sizeof(e->proto), "%s", val);
		}
	}
}

/* The next entry of a Postfix milter list at *pos; false at its end. */
static bool next_entry(const char **pos, struct entry *e)
{
	const char *p = *pos + strspn(*pos, " \t\r\n,");

	if (*p == '\0')
		return false;
	e->spec[0] = e->defact[0] = e->proto[0] = '\0';
	if (*p == '{') {
		const char *close = strchr(p, '}');
		size_t n = close ? (size_t)(close - p - 1) : strlen(p + 1);

		parse_braces(p + 1, n, e);
		*pos = p + 1 + n + (close != NULL);
	} else {
		size_t n = strcspn(p, " \t\r\n,");

		snprintf(e->spec, sizeof(e->spec), "%.*s", (int)n, p);
		*pos = p + n;
	}
	return true;
}

/* a/./b//c/../d -> a/b/d, without touching the file system. */
static void lexical(char *path)
{
	char out[PATH_MAX], *save, *seg;
	size_t n = 0;

	out[0] = '\0';
	for (seg = strtok_r(path, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			char *slash = strrchr(out, '/');

			n = slash ? (size_t)(slash - out) : 0;
			out[n] = '\0';
			continue;
		}
		n += (size_t)snprintf(out + n, n < sizeof(out) ? sizeof(out) - n : 0, "/%s", seg);
		if (n >= sizeof(out))
			n = sizeof(out) - 1;
	}
	snprintf(path, PATH_MAX, "%s", n ? out : "/");
}

static bool chrooted(const struct pfc *c, const struct pf_service *s)
{
	const char *lvl = pf_main(c->pf, "compatibility_level");
	const char *cl = pf_value(c->pf, s, "cleanup_service_name");

	/*
	 * smtpd connects to its milters itself (and hands the connection to
	 * cleanup); non_smtpd_milters are connected by cleanup(8).
	 */
	for (size_t i = 0; !pfc_smtpd(s) && i < c->pf->nsvc; i++)
		if (strcmp(c->pf->svc[i].name, cl ? cl : "cleanup") == 0
		    && strcmp(c->pf->svc[i].type, "unix") == 0) {
			s = &c->pf->svc[i];
			break;
		}

	if (s->chroot == 'y' || s->chroot == 'n')
		return s->chroot == 'y';
	/* master(5): '-' is "n" since Postfix 3.0, "y" below compatibility level 1. */
	return lvl == NULL || atoi(lvl) < 1;
}

static const char *qdir(const struct pfc *c)
{
	const char *q = pf_main(c->pf, "queue_directory");

	return q && *q ? q : "/var/spool/postfix";
}

/*
 * A Postfix milter address as service s reaches it.  Every Postfix
 * daemon works in queue_directory, so a relative unix: path is relative
 * to it chrooted or not; an absolute one is inside the chroot.
 */
static bool pf_endpoint(const struct pfc *c, const struct pf_service *s,
			const char *spec, struct endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (strncmp(spec, "unix:", 5) == 0) {
		const char *p = spec + 5;

		ep->is_unix = true;
		if (*p == '/' && !chrooted(c, s))
			snprintf(ep->path, sizeof(ep->path), "%s", p);
		else
			snprintf(ep->path, sizeof(ep->path), "%s/%s", qdir(c), p);
		lexical(ep->path);
		return true;
	}
	if (strncmp(spec, "inet:", 5) == 0) {
		const char *colon = strrchr(spec + 5, ':');

		if (colon == NULL)
			return false;
		trim_copy(ep->host, sizeof(ep->host), spec + 5, (size_t)(colon - spec - 5));
		if (ep->host[0] == '[') {
			memmove(ep->host, ep->host + 1, strlen(ep->host));
			ep->host[strcspn(ep->host, "]")] = '\0';
		}
		ep->port = atoi(colon + 1);
		return ep->port > 0;
	}
	return false;
}

/* dotgate's socket (policy_socket_spec's forms: unix:/path, inet:PORT@HOST). */
static bool dg_endpoint(const struct dg_policy *p, struct endpoint *ep)
{
	const char *at;

	memset(ep, 0, sizeof(*ep));
	if (p == NULL || p->socket == NULL)
		return false;
	if (strncmp(p->socket, "unix:", 5) == 0) {
		ep->is_unix = true;
		snprintf(ep->path, sizeof(ep->path), "%s", p->socket + 5);
		lexical(ep->path);
		return true;
	}
	at = strchr(p->socket, '@');
	ep->port = atoi(strchr(p->socket, ':') + 1);
	if (at)
		snprintf(ep->host, sizeof(ep->host), "%s", at + 1);
	return true;
}

static bool any_host(const char *h)
{
	return h[0] == '\0' || strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0
	       || strcmp(h, "*") == 0 || strcmp(h, "INADDR_ANY") == 0;
}

static bool loopback(const char *h)
{
	return strcasecmp(h, "localhost") == 0 || strncmp(h, "127.", 4) == 0
	       || strcmp(h, "::1") == 0;
}

static bool same_endpoint(const struct endpoint *a, const struct endpoint *dg)
{
	struct stat sa, sd;

	if (a->is_unix != dg->is_unix)
		return false;
	if (!a->is_unix)
		return a->port == dg->port
		       && (any_host(dg->host) || strcasecmp(a->host, dg->host) == 0
			   || (loopback(a->host) && loopback(dg->host)));
	if (strcmp(a->path, dg->path) == 0)
		return true;
	return stat(a->path, &sa) == 0 && stat(dg->path, &sd) == 0
	       && sa.st_dev == sd.st_dev && sa.st_ino == sd.st_ino;
}

/* An entry written for dotgate that misses: same file name, or port. */
static bool aimed(const struct entry *e, const struct endpoint *a,
		  const struct endpoint *dg, bool have_dg)
{
	const char *b1, *b2;

	if (strstr(e->spec, "dotgate"))
		return true;
	if (!have_dg || a->is_unix != dg->is_unix)
		return false;
	if (!a->is_unix)
		return a->port == dg->port;
	b1 = strrchr(a->path, '/');
	b2 = strrchr(dg->path, '/');
	return b1 && b2 && strcmp(b1, b2) == 0;
}

static const char *list_of(const struct pf_service *s)
{
	return pfc_smtpd(s) ? "smtpd_milters" : "non_smtpd_milters";
}

/* s's milter entry that reaches dotgate (hit), else one aimed at it. */
static bool scan(const struct pfc *c, const struct pf_service *s,
		 struct entry *hit, struct entry *miss)
{
	const char *list = pf_value(c->pf, s, list_of(s));
	struct endpoint dg, a;
	bool have_dg = dg_endpoint(c->p, &dg);
	struct entry e;

	if (miss)
		miss->spec[0] = '\0';
	for (const char *pos = list ? list : ""; next_entry(&pos, &e);) {
		bool ok = pf_endpoint(c, s, e.spec, &a);

		if (have_dg ? ok && same_endpoint(&a, &dg) : strstr(e.spec, "dotgate") != NULL) {
			*hit = e;
			return true;
		}
		if (miss && miss->spec[0] == '\0' && aimed(&e, &a, &dg, have_dg))
			*miss = e;
	}
	return false;
}

bool pfc_find_dotgate(const struct pfc *c, const struct pf_service *s,
		      struct pfc_milter *m)
{
	struct entry e;

	if (!pfc_smtpd(s) && !pf_accepts_mail(s))
		return false;
	if (!scan(c, s, &e, NULL))
		return false;
	snprintf(m->entry, sizeof(m->entry), "%s", e.spec);
	snprintf(m->defact, sizeof(m->defact), "%s", e.defact);
	snprintf(m->proto, sizeof(m->proto), "%s", e.proto);
	m->list = list_of(s);
	m->own = pfc_overrides(s, m->list);
	return true;
}

/* The entry that reaches dotgate from s, or "" when none can (chroot). */
static void best_spec(const struct pfc *c, const struct pf_service *s,
		      char *buf, size_t len)
{
	struct endpoint dg;
	const char *q = qdir(c);
	size_t ql = strlen(q);

	if (!dg_endpoint(c->p, &dg)) {
		snprintf(buf, len, "unix:dotgate/dotgate.sock");
	} else if (!dg.is_unix) {
		bool v6 = strchr(dg.host, ':') != NULL;

		snprintf(buf, len, "inet:%s%s%s:%d", v6 ? "[" : "",
			 any_host(dg.host) ? "127.0.0.1" : dg.host, v6 ? "]" : "", dg.port);
	} else if (strncmp(dg.path, q, ql) == 0 && dg.path[ql] == '/') {
		snprintf(buf, len, "unix:%s", dg.path + ql + 1);
	} else {
		snprintf(buf, len, chrooted(c, s) ? "" : "unix:%s", dg.path);
	}
}

static bool may(const struct stat *st, uid_t uid, gid_t gid, unsigned bit)
{
	if (uid == 0)
		return true;
	if (st->st_uid == uid)
		return st->st_mode & (bit << 6);
	if (st->st_gid == gid)
		return st->st_mode & (bit << 3);
	return st->st_mode & bit;
}

/*
 * Can mail_owner reach path from where Postfix starts (queue_directory
 * for a relative or chrooted name, / otherwise) and write the socket?
 * Postfix daemons keep only mail_owner's primary group.  Writes what
 * stops it into why, "" when nothing does.
 */
static void reach(const char *start, const char *path, const struct passwd *pw,
		  char *why, size_t len)
{
	char walk[PATH_MAX];
	size_t n = strlen(start);
	struct stat st;

	if (strncmp(path, start, n) != 0 || (path[n] != '/' && n > 1))
		n = strlen(start = "/");
	if (strlen(path) <= n + 1) {
		snprintf(why, len, "cannot use %s as a socket", path);
		return;
	}
	snprintf(walk, sizeof(walk), "%s", start);
	why[0] = '\0';
	for (;;) {
		const char *next = strchr(path + n + 1, '/');

		if (stat(walk, &st) != 0) {
			snprintf(why, len, "cannot find %s", walk);
			return;
		}
		if (!may(&st, pw->pw_uid, pw->pw_gid, 1)) {
			snprintf(why, len, "cannot search %s (%o %ld:%ld)", walk,
				 (unsigned)(st.st_mode & 07777), (long)st.st_uid, (long)st.st_gid);
			return;
		}
		if (next == NULL)
			break;
		n = (size_t)(next - path);
		snprintf(walk, sizeof(walk), "%.*s", (int)n, path);
	}
	if (stat(path, &st) == 0 && !may(&st, pw->pw_uid, pw->pw_gid, 2))
		snprintf(why, len, "cannot write to the socket (%o %ld:%ld)",
			 (unsigned)(st.st_mode & 07777), (long)st.st_uid, (long)st.st_gid);
}

static void check_socket(struct pfc *c, const struct pf_service *s,
			 const char *spec)
{
	const char *owner = pf_main(c->pf, "mail_owner");
	struct passwd *pw = getpwnam(owner ? owner : "postfix");
	char svc[PF_NAME_MAX * 2 + 2], val[PATH_MAX + 64], why[PATH_MAX + 64];
	struct endpoint dg;
	struct stat st;
	bool rel = strncmp(spec, "unix:/", 6) != 0;

	if (!dg_endpoint(c->p, &dg) || !dg.is_unix)
		return;
	pfc_svc(s, svc, sizeof(svc));
	if (lstat(dg.path, &st) != 0) {
		dr_add(c->r, DR_WARN, svc, "socket", dg.path, "systemctl start dotgate",
		       "no socket at %s now: dotgate is not running, so mail here gets milter_default_action instead of dotgate", dg.path);
		return;
	}
	snprintf(val, sizeof(val), "%s (%o %ld:%ld)", dg.path,
		 (unsigned)(st.st_mode & 07777), (long)st.st_uid, (long)st.st_gid);
	if (!S_ISSOCK(st.st_mode)) {
		dr_add(c->r, DR_RISK, svc, "socket", val, "systemctl restart dotgate",
		       "%s is not a socket: nothing listens there, so mail here gets milter_default_action instead of dotgate", dg.path);
		return;
	}
	if (pw == NULL) {
		dr_add(c->r, DR_WARN, svc, "socket", val, "",
		       "mail_owner %s is not a user on this host: whether Postfix may connect is unknown", owner ? owner : "postfix");
		return;
	}
	reach(rel || chrooted(c, s) ? qdir(c) : "/", dg.path, pw, why, sizeof(why));
	if (why[0])
		dr_add(c->r, DR_RISK, svc, "socket", val, "",
		       "%s (uid %ld, group %ld only: Postfix drops other groups) %s: Postfix's connect fails and mail here gets milter_default_action instead of dotgate; give that group the socket (socket_group, socket_mode = \"0660\" in dotgate.conf) and search (x) on its directories",
		       pw->pw_name, (long)pw->pw_uid, (long)pw->pw_gid, why);
	else
		dr_add(c->r, DR_OK, svc, "socket", val, "",
		       "%s (uid %ld, group %ld) can reach and connect to dotgate's socket",
		       pw->pw_name, (long)pw->pw_uid, (long)pw->pw_gid);
}

static bool sasl_on(const struct pfc *c, const struct pf_service *s)
{
	return pfc_smtpd(s) && pfc_yes(pf_value(c->pf, s, "smtpd_sasl_auth_enable"));
}

/* s's milter list with want in place of old, or appended when old is NULL. */
static void new_list(const struct pfc *c, const struct pf_service *s,
		     const char *old, const char *want, char *buf, size_t len)
{
	const char *list = pf_value(c->pf, s, list_of(s));
	const char *at = old && list ? strstr(list, old) : NULL;

	if (at)
		snprintf(buf, len, "%.*s%s%s", (int)(at - list), list, want,
			 at + strlen(old));
	else if (list && *list)
		snprintf(buf, len, "%s, %s", list, want);
	else
		snprintf(buf, len, "%s", want);
}

/* A service whose list names something meant for dotgate that misses it. */
static void missed(struct pfc *c, const struct pf_service *s, const struct entry *m)
{
	char svc[PF_NAME_MAX * 2 + 2], spec[PATH_MAX + 16], list[PF_VALUE_MAX];
	char fix[PF_VALUE_MAX + 256] = "";
	struct endpoint a, dg;
	bool have_dg = dg_endpoint(c->p, &dg);

	best_spec(c, s, spec, sizeof(spec));
	if (spec[0]) {
		new_list(c, s, m->spec, spec, list, sizeof(list));
		pfc_fix(c, s, list_of(s), list, fix, sizeof(fix));
	}
	if (!pf_endpoint(c, s, m->spec, &a))
		snprintf(a.path, sizeof(a.path), "nothing Postfix can connect to");
	dr_add(c->r, DR_RISK, pfc_svc(s, svc, sizeof(svc)), list_of(s), m->spec, fix,
	       "%s (%s) reaches %s, not dotgate's socket %s: every message here gets milter_default_action (%s) instead of dotgate%s",
	       m->spec, chrooted(c, s) ? "chroot y: inside queue_directory" : "not chrooted",
	       a.is_unix || !a.port ? a.path : "another TCP address",
	       have_dg ? (dg.is_unix ? dg.path : c->p->socket) : "(unknown)",
	       pf_value(c->pf, s, "milter_default_action") ? pf_value(c->pf, s, "milter_default_action") : "tempfail",
	       spec[0] ? "" : "; a chrooted service reaches only files below queue_directory: move dotgate's socket there (socket = unix:QUEUE_DIRECTORY/dotgate/dotgate.sock) and name it relative to it");
}

static bool in_daemons(const struct pfc *c, const struct pf_service *s)
{
	const char *name = pf_value(c->pf, s, "milter_macro_daemon_name");

	for (size_t i = 0; c->p && name && i < c->p->auth.ndaemons; i++)
		if (strcasecmp(c->p->auth.daemons[i], name) == 0)
			return true;
	return false;
}

bool pfc_gated(const struct pfc *c, const struct pf_service *s)
{
	struct pfc_milter m;

	if (!pfc_smtpd(s) || !pfc_find_dotgate(c, s, &m))
		return false;
	return c->p == NULL || c->p->auth.ndaemons == 0 || in_daemons(c, s);
}

/* A service that accepts mail and names nothing that reaches dotgate. */
static void unattached(struct pfc *c, const struct pf_service *s)
{
	char svc[PF_NAME_MAX * 2 + 2], spec[PATH_MAX + 16], list[PF_VALUE_MAX];
	char fix[PF_VALUE_MAX + 256] = "";
	const char *l = pf_value(c->pf, s, list_of(s));

	pfc_svc(s, svc, sizeof(svc));
	if (!pfc_smtpd(s)) {
		dr_add(c->r, DR_OK, svc, list_of(s), l ? l : "", "",
		       "%s takes mail without an SMTP login (sendmail(1), QMQP): dotgate's sender gate has nothing to check there", s->command);
		return;
	}
	if (!sasl_on(c, s) && !in_daemons(c, s)) {
		dr_add(c->r, DR_OK, svc, list_of(s), l ? l : "", "",
		       "no AUTH and no dotgate here: mail from other servers, which dotgate's gate is not meant for (dotgate(8), \"ATTACHING TO POSTFIX\")");
		return;
	}
	best_spec(c, s, spec, sizeof(spec));
	new_list(c, s, NULL, spec, list, sizeof(list));
	if (spec[0])
		pfc_fix(c, s, list_of(s), list, fix, sizeof(fix));
	dr_add(c->r, DR_RISK, svc, list_of(s), l ? l : "", fix,
	       "%s, but dotgate is not among its milters: logged-in clients send here in any name, unchecked",
	       sasl_on(c, s) ? "clients log in here (smtpd_sasl_auth_enable = yes)"
	       : "auth.daemons names this service");
}

/* dotgate on no service: the fix attaches it to submission when there is one. */
static void nowhere(struct pfc *c)
{
	char spec[PATH_MAX + 16], list[PF_VALUE_MAX], fix[PF_VALUE_MAX + 256] = "";

	for (size_t i = 0; i < c->pf->nsvc && !fix[0]; i++) {
		const struct pf_service *s = &c->pf->svc[i];

		if (strcmp(s->name, "submission") != 0 || !pfc_smtpd(s))
			continue;
		best_spec(c, s, spec, sizeof(spec));
		new_list(c, s, NULL, spec, list, sizeof(list));
		if (spec[0])
			pfc_fix(c, s, list_of(s), list, fix, sizeof(fix));
	}
	dr_add(c->r, DR_RISK, "main.cf", "smtpd_milters", pf_main(c->pf, "smtpd_milters"), fix,
	       "dotgate is attached to no service that accepts mail: nothing it checks happens (dotgate(8), \"ATTACHING TO POSTFIX\")");
}

void pfc_check_attach(struct pfc *c)
{
	char svc[PF_NAME_MAX * 2 + 2];
	struct entry hit, miss;
	size_t attached = 0, misses = 0;

	for (size_t i = 0; i < c->pf->nsvc; i++) {
		const struct pf_service *s = &c->pf->svc[i];

		if (!pfc_smtpd(s) && !pf_accepts_mail(s))
			continue;
		if (scan(c, s, &hit, &miss)) {
			attached++;
			dr_add(c->r, DR_OK, pfc_svc(s, svc, sizeof(svc)), list_of(s), hit.spec, "",
			       "dotgate is among this service's milters, and the name leads%s to the socket dotgate listens on",
			       chrooted(c, s) ? " from inside its chroot" : "");
			check_socket(c, s, hit.spec);
		} else if (miss.spec[0]) {
			misses++;
			missed(c, s, &miss);
		} else {
			unattached(c, s);
		}
	}
	if (attached == 0 && misses == 0)
		nowhere(c);
}
