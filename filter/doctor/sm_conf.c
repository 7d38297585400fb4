/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sm_conf.c: a sendmail.cf as dotgate-doctor(8) reads it (see doctor.h):
 * the lines "SENDMAIL CHECKS" needs, and the access map's Srv_Features:
 * entries.  The text is hostile (a .cf anyone may have edited): every
 * line is copied into a bounded buffer first, and what is not understood
 * is counted, never trusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor.h"
#include "util.h"

/* What the current ruleset (S line) is, for its R lines. */
enum sm_rs { RS_OTHER, RS_SRV, RS_LOCAL_SRV };

struct sm_lines {
	const char *text;
	size_t len, pos;
	size_t lineno;			/* of the line returned */
	size_t next_lineno;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* s starts with prefix, ASCII case folded. */
static bool has_prefix_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (is_letter(*prefix) ? !is_letter(*s) ||
		    (*s | 0x20) != (*prefix | 0x20) : *s != *prefix)
			return false;
	return true;
}

/*
 * The next logical line into buf: a line starting with a space or tab
 * continues the previous one, as Sendmail folds them.  Returns 0 at the
 * end, -1 for a line longer than SM_LINE_MAX (consumed), else 1.
 */
static int next_line(struct sm_lines *l, char *buf)
{
	size_t n = 0;
	bool over = false;

	if (l->pos >= l->len)
		return 0;
	l->lineno = ++l->next_lineno;
	for (;;) {
		while (l->pos < l->len && l->text[l->pos] != '\n') {
			char c = l->text[l->pos++];
			if (n < SM_LINE_MAX - 1)
				buf[n++] = c == '\0' || c == '\r' ? ' ' : c;
			else
				over = true;
		}
		if (l->pos < l->len)
			l->pos++;
		if (l->pos >= l->len || !is_blank(l->text[l->pos]) || n == 0)
			break;
		l->next_lineno++;
	}
	buf[n] = '\0';
	return over ? -1 : 1;
}

static char *trim(char *s)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Sendmail's comments: from a "#" after white space to the end. */
static void strip_comment(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '#' && p > s && is_blank(p[-1])) {
			*p = '\0';
			return;
		}
}

const char *sm_field(const char *list, char key, size_t *len)
{
	const char *p = list;

	while (p && *p) {
		while (is_blank(*p) || *p == ',')
			p++;
		const char *end = strchr(p, ',');
		const char *eq = strchr(p, '=');
		if (end == NULL)
			end = p + strlen(p);
		if (*p == key && eq && eq < end) {
			const char *v = eq + 1;
			while (is_blank(*v))
				v++;
			size_t n = (size_t)(end - v);
			while (n > 0 && is_blank(v[n - 1]))
				n--;
			*len = n;
			return v;
		}
		p = end;
	}
	return NULL;
}

static char *field_dup(const char *list, char key)
{
	size_t n;
	const char *v = sm_field(list, key, &n);

	return v ? xstrndup(v, n) : NULL;
}

/* Xname, S=..., F=..., T=... (dotgate-doctor(8), "SENDMAIL CHECKS"). */
static int parse_milter(struct sm_conf *sm, char *line)
{
	char *comma = strchr(line, ',');
	char *name;
	struct sm_milter *m;

	if (comma)
		*comma = '\0';
	name = trim(line);
	if (*name == '\0' || strpbrk(name, " \t=") != NULL)
		return -1;
	sm->milter = xrealloc(sm->milter, (sm->nmilter + 1) * sizeof *sm->milter);
	m = &sm->milter[sm->nmilter++];
	m->name = xstrdup(name);
	m->socket = comma ? field_dup(comma + 1, 'S') : NULL;
	m->flags = comma ? field_dup(comma + 1, 'F') : NULL;
	m->timeouts = comma ? field_dup(comma + 1, 'T') : NULL;
	return 0;
}

/* O Name=value: option names are case-insensitive in Sendmail. */
static int parse_option(struct sm_conf *sm, char *line)
{
	char *eq = strchr(line, '=');
	char *name, *value;

	if (eq == NULL)
		return 0;		/* a flag option: none we need */
	*eq = '\0';
	name = trim(line);
	value = trim(eq + 1);
	if (dg_strcasecmp_ascii(name, "DaemonPortOptions") == 0) {
		sm->daemon_opts = xrealloc(sm->daemon_opts,
					   (sm->ndaemon + 1) * sizeof *sm->daemon_opts);
		sm->daemon_opts[sm->ndaemon++] = xstrdup(value);
	} else if (dg_strcasecmp_ascii(name, "InputMailFilters") == 0) {
		free(sm->input_filters);
		sm->input_filters = xstrdup(value);
	}
	return 0;
}

/* Kaccess TYPE [-flags] FILE: the file is the last word. */
static int parse_map(struct sm_conf *sm, char *line)
{
	char *last = NULL;

	if (strncmp(line, "access", 6) != 0 || (line[6] && !is_blank(line[6])))
		return 0;
	for (char *w = strtok(line + 6, " \t"); w; w = strtok(NULL, " \t"))
		last = w;
	if (last == NULL || last[0] == '-')
		return -1;
	free(sm->access_map);
	sm->access_map = xstrdup(last);
	return 0;
}

static void add_feat(struct sm_conf *sm, const char *client,
		     const char *letters, const char *file, size_t lineno)
{
	struct sm_srvfeat *f;
	char origin[4200];

	snprintf(origin, sizeof origin, "%s:%zu", file, lineno);
	sm->feat = xrealloc(sm->feat, (sm->nfeat + 1) * sizeof *sm->feat);
	f = &sm->feat[sm->nfeat++];
	f->client = xstrdup(client);
	f->letters = xstrdup(letters);
	f->origin = xstrdup(origin);
}

/*
 * An answer Sendmail takes letters from: words of letters and digits,
 * each counting by its first letter ("U", "u2 g2"; "UG" is U alone).
 * A first word "temp..." is a temporary failure, not features.
 */
static bool feature_letters(const char *s)
{
	bool any = false;

	while (is_blank(*s))
		s++;
	if (has_prefix_ci(s, "temp"))
		return false;
	while (*s) {
		if (is_blank(*s)) {
			s++;
			continue;
		}
		if (!is_letter(*s))
			return false;
		while (is_letter(*s) || is_digit(*s))
			s++;
		if (*s && !is_blank(*s))
			return false;
		any = true;
	}
	return any;
}

/* R LHS <tab> RHS [<tab> comment] in srv_features or Local_srv_features. */
static int parse_rule(struct sm_conf *sm, char *line, size_t lineno)
{
	char *tab = strchr(line, '\t');
	char *rhs, *end, *lhs;

	if (tab == NULL)
		return -1;
	*tab = '\0';
	lhs = trim(line);
	rhs = tab + 1;
	while (*rhs == '\t')
		rhs++;
	if ((end = strchr(rhs, '\t')) != NULL)
		*end = '\0';
	rhs = trim(rhs);
	if (strstr(rhs, "$(access") && strstr(rhs, "Srv_Features"))
		sm->srv_access = true;
	if (strncmp(rhs, "$#", 2) != 0 || !feature_letters(rhs + 2))
		return 0;
	add_feat(sm, strcmp(lhs, "$*") == 0 ? "" : lhs, trim(rhs + 2),
		 sm->path ? sm->path : "sendmail.cf", lineno);
	return 0;
}

static enum sm_rs ruleset(const char *line)
{
	size_t n = strcspn(line, "= \t");

	if (n == 12 && strncmp(line, "srv_features", n) == 0)
		return RS_SRV;
	if (n == 18 && strncmp(line, "Local_srv_features", n) == 0)
		return RS_LOCAL_SRV;
	return RS_OTHER;
}

static int parse_cf_line(struct sm_conf *sm, char *line, enum sm_rs *rs,
			 size_t lineno)
{
	switch (line[0]) {
	case 'D':
		if (line[1] != 'Z')
			return 0;
		strip_comment(line);
		line = trim(line + 2);
		if (!is_digit(line[0]) || strlen(line) > 64)
			return -1;
		free(sm->version);
		sm->version = xstrdup(line);
		return 0;
	case 'O':
		if (!is_blank(line[1]))
			return 0;	/* a one-letter option: none we need */
		strip_comment(line);
		return parse_option(sm, line + 1);
	case 'X':
		strip_comment(line);
		return parse_milter(sm, line + 1);
	case 'K':
		strip_comment(line);
		return parse_map(sm, line + 1);
	case 'S':
		*rs = ruleset(trim(line + 1));
		return 0;
	case 'R':
		return *rs == RS_OTHER ? 0 : parse_rule(sm, line + 1, lineno);
	default:
		return 0;
	}
}

int sm_parse(struct sm_conf *sm, const char *text, size_t len)
{
	struct sm_lines l = { text, len, 0, 0, 0 };
	enum sm_rs rs = RS_OTHER;
	char *buf = xmalloc(SM_LINE_MAX);
	int n = 0, got;

	while ((got = next_line(&l, buf)) != 0) {
		if (got < 0 || parse_cf_line(sm, buf, &rs, l.lineno) < 0)
			sm->skipped++;
		else
			n++;
	}
	free(buf);
	return n;
}

/* Srv_Features:[client] <white space> letters, as makemap reads them. */
int sm_parse_access(struct sm_conf *sm, const char *text, size_t len,
		    const char *origin)
{
	struct sm_lines l = { text, len, 0, 0, 0 };
	char *buf = xmalloc(SM_LINE_MAX);
	int n = 0, got;

	while ((got = next_line(&l, buf)) != 0) {
		char *key = trim(buf), *value;
		if (got < 0) {
			sm->skipped++;
			continue;
		}
		if (!has_prefix_ci(key, "Srv_Features:"))
			continue;
		value = key + strcspn(key, " \t");
		if (*value)
			*value++ = '\0';
		value = trim(value);
		if (!feature_letters(value)) {
			sm->skipped++;
			continue;
		}
		add_feat(sm, key + 13, value, origin, l.lineno);
		n++;
	}
	free(buf);
	return n;
}

/* The whole file at path, at most SM_CF_MAX bytes; NULL with err. */
static char *read_bounded(const char *path, size_t *len, char *err,
			  size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *buf;
	size_t n = 0, cap;
	ssize_t got;

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)SM_CF_MAX) {
		snprintf(err, errlen, "%s: %s", path, S_ISREG(st.st_mode) ?
			 "larger than 4 MB" : "not a regular file");
		close(fd);
		return NULL;
	}
	cap = (size_t)st.st_size;
	buf = xmalloc(cap + 1);
	while (n < cap && (got = read(fd, buf + n, cap - n)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * The access map's text source: makemap builds access.db from "access"
 * (dotgate-doctor(8), "SENDMAIL CHECKS"), so the .db suffix, given or
 * not, goes.
 * Unreadable is no error: sm_check() says what it could not see.
 */
static void read_access(struct sm_conf *sm)
{
	char path[4096], err[256];
	size_t n = strlen(sm->access_map), len;
	char *text;

	if (n >= sizeof path || sm->access_map[0] != '/')
		return;
	memcpy(path, sm->access_map, n + 1);
	if (n > 3 && strcmp(path + n - 3, ".db") == 0)
		path[n - 3] = '\0';
	else if (n > 4 && strcmp(path + n - 4, ".cdb") == 0)
		path[n - 4] = '\0';
	if ((text = read_bounded(path, &len, err, sizeof err)) == NULL)
		return;
	sm->access_text = xstrdup(path);
	sm_parse_access(sm, text, len, path);
	free(text);
}

int sm_read(struct sm_conf *sm, const char *cf_path, char *err, size_t errlen)
{
	size_t len;
	char *text = read_bounded(cf_path, &len, err, errlen);

	if (text == NULL)
		return -1;
	sm->path = xstrdup(cf_path);
	sm_parse(sm, text, len);
	free(text);
	if (sm->version == NULL && sm->nmilter == 0 && sm->ndaemon == 0) {
		snprintf(err, errlen, "%s: no DZ, X or O DaemonPortOptions line: "
			 "not a sendmail.cf", cf_path);
		return -1;
	}
	if (sm->srv_access && sm->access_map)
		read_access(sm);
	return 0;
}

void sm_free(struct sm_conf *sm)
{
	for (size_t i = 0; i < sm->nmilter; i++) {
		free(sm->milter[i].name);
		free(sm->milter[i].socket);
		free(sm->milter[i].flags);
		free(sm->milter[i].timeouts);
	}
	for (size_t i = 0; i < sm->ndaemon; i++)
		free(sm->daemon_opts[i]);
	for (size_t i = 0; i < sm->nfeat; i++) {
		free(sm->feat[i].client);
		free(sm->feat[i].letters);
		free(sm->feat[i].origin);
	}
	free(sm->milter);
	free(sm->daemon_opts);
	free(sm->feat);
	free(sm->path);
	free(sm->version);
	free(sm->input_filters);
	free(sm->access_map);
	free(sm->access_text);
	memset(sm, 0, sizeof *sm);
}
