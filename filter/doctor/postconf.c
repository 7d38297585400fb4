/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * postconf.c: postconf(1)'s three outputs read into struct pf_conf
 * (doctor.h), and the lookups the Postfix checks make in it.  The text
 * is treated as hostile, since a master.cf may have been written by
 * anyone with access to the configuration directory: a line longer than
 * LINE_MAX, a name longer than PF_NAME_MAX, a value longer than
 * PF_VALUE_MAX, a NUL byte, a malformed line or an override for a
 * service that master.cf does not define is skipped and counted in
 * pf->skipped, never trusted.  A line that starts with white space
 * continues the one before, as in main.cf and master.cf, so folded
 * output (postconf -f) reads the same as unfolded.
 *
 * The -o overrides are taken from "postconf -P" only, not from the
 * command column of "postconf -M" (dotgate-doctor(8), "POSTFIX
 * CHECKS"): -P has already resolved the "-o { name = value }" forms
 * and the quoting, which the command column shows as written.
 */
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "postconf.h"
#include "util.h"

/* A logical line: a name, a value and the separators, with room. */
#define LINE_MAX (2 * PF_VALUE_MAX + PF_NAME_MAX)

struct lines {
	const char *p, *end;
	char buf[LINE_MAX + 1];
};

/* Skip one physical line, its newline included. */
static void skip_line(struct lines *it)
{
	const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));

	it->p = nl != NULL ? nl + 1 : it->end;
}

/* A line of white space only, or a comment: passed over. */
static bool blank(const struct lines *it)
{
	const char *q = it->p;

	while (q < it->end && (*q == ' ' || *q == '\t' || *q == '\r'))
		q++;
	return q == it->end || *q == '\n' || (q == it->p && *q == '#');
}

static bool continues(const struct lines *it)
{
	return it->p < it->end && (*it->p == ' ' || *it->p == '\t') &&
	       !blank(it);
}

/*
 * next_line - the next logical line into it->buf, continuation lines
 * joined by one space.  Returns 1 for a line, 2 for one that is too
 * long, holds a NUL byte or continues nothing (skipped whole), 0 at the
 * end.  Blank lines and "#" comments are passed over.
 */
static int next_line(struct lines *it)
{
	size_t len = 0;
	bool bad;

	while (it->p < it->end && blank(it))
		skip_line(it);
	if (it->p >= it->end)
		return 0;
	bad = continues(it);
	do {
		const char *start = it->p, *nl;
		size_t n;

		while (start < it->end && (*start == ' ' || *start == '\t'))
			start++;
		nl = memchr(start, '\n', (size_t)(it->end - start));
		n = (size_t)((nl != NULL ? nl : it->end) - start);
		it->p = nl != NULL ? nl + 1 : it->end;
		if (memchr(start, '\0', n) != NULL ||
		    len + n + 1 > LINE_MAX) {
			bad = true;
			continue;
		}
		if (len > 0)
			it->buf[len++] = ' ';
		memcpy(it->buf + len, start, n);
		len += n;
	} while (continues(it));
	while (len > 0 && (it->buf[len - 1] == ' ' || it->buf[len - 1] == '\t' ||
			   it->buf[len - 1] == '\r'))
		len--;
	it->buf[len] = '\0';
	return bad ? 2 : 1;
}

static struct lines *lines_new(const char *text, size_t len)
{
	struct lines *it = xmalloc(sizeof(*it));

	it->p = text;
	it->end = text + len;
	return it;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/*
 * split_assign - "NAME = VALUE" in line: NAME (name characters only)
 * and VALUE, both within their bounds.  Returns false for anything else.
 */
static bool split_assign(char *line, bool (*key_ok)(char), char **name,
			 char **value)
{
	char *p = line, *v;

	while (*p != '\0' && key_ok(*p))
		p++;
	if (p == line || (size_t)(p - line) > 3 * PF_NAME_MAX)
		return false;
	v = p;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v != '=')
		return false;
	*p = '\0';
	for (v++; *v == ' ' || *v == '\t'; v++)
		;
	if (strlen(v) > PF_VALUE_MAX)
		return false;
	*name = line;
	*value = v;
	return true;
}

static void param_set(struct pf_param **arr, size_t *n, const char *name,
		      const char *value)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*arr)[i].name, name) == 0) {
			free((*arr)[i].raw);
			free((*arr)[i].value);
			(*arr)[i].raw = xstrdup(value);
			(*arr)[i].value = xstrdup(value);
			return;
		}
	*arr = xrealloc(*arr, (*n + 1) * sizeof(**arr));
	(*arr)[*n].name = xstrdup(name);
	(*arr)[*n].raw = xstrdup(value);
	(*arr)[*n].value = xstrdup(value);
	(*n)++;
}

/* A parameter and the order it was read in, for a stable dedupe. */
struct keyed {
	struct pf_param p;
	size_t idx;
};

static int by_name(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->p.name, y->p.name);

	if (c == 0)
		c = x->idx < y->idx ? -1 : x->idx > y->idx;
	return c;
}

/*
 * main_sort - main.cf's parameters sorted by name for pf_main()'s
 * binary search; of a name given twice the later one stays, as in
 * main.cf itself.
 */
static void main_sort(struct pf_conf *pf)
{
	struct keyed *k;
	size_t i, o = 0;

	if (pf->nparam == 0)
		return;
	k = xcalloc(pf->nparam, sizeof(*k));
	for (i = 0; i < pf->nparam; i++) {
		k[i].p = pf->param[i];
		k[i].idx = i;
	}
	qsort(k, pf->nparam, sizeof(*k), by_name);
	for (i = 0; i < pf->nparam; i++) {
		if (i + 1 < pf->nparam &&
		    strcmp(k[i].p.name, k[i + 1].p.name) == 0) {
			free(k[i].p.name);
			free(k[i].p.raw);
			free(k[i].p.value);
			continue;
		}
		pf->param[o++] = k[i].p;
	}
	pf->nparam = o;
	free(k);
}

/* One "name = value" line of postconf's main.cf output. */
static bool main_line(struct pf_conf *pf, char *line)
{
	char *name, *value;

	if (!split_assign(line, name_char, &name, &value) ||
	    strlen(name) > PF_NAME_MAX)
		return false;
	pf->param = xrealloc(pf->param, (pf->nparam + 1) * sizeof(*pf->param));
	pf->param[pf->nparam].name = xstrdup(name);
	pf->param[pf->nparam].raw = xstrdup(value);
	pf->param[pf->nparam].value = xstrdup(value);
	pf->nparam++;
	return true;
}

/* Each logical line of text to fn; the lines it refuses are counted. */
static int parse_lines(struct pf_conf *pf, const char *text, size_t len,
		       bool (*fn)(struct pf_conf *, char *))
{
	struct lines *it = lines_new(text, len);
	int k, n = 0;

	while ((k = next_line(it)) != 0) {
		if (k == 1 && fn(pf, it->buf))
			n++;
		else
			pf->skipped++;
	}
	free(it);
	return n;
}

int pf_parse_main(struct pf_conf *pf, const char *text, size_t len)
{
	int n = parse_lines(pf, text, len, main_line);

	main_sort(pf);
	pf_expand_all(pf);
	return n;
}

static const char *const svc_types[] = {
	"inet", "unix", "unix-dgram", "fifo", "pass"
};

static bool flag_ok(const char *s)
{
	return (s[0] == 'y' || s[0] == 'n' || s[0] == '-') && s[1] == '\0';
}

static struct pf_service *find_service(const struct pf_conf *pf,
				       const char *name, const char *type)
{
	size_t i;

	for (i = 0; i < pf->nsvc; i++)
		if (strcmp(pf->svc[i].name, name) == 0 &&
		    strcmp(pf->svc[i].type, type) == 0)
			return &pf->svc[i];
	return NULL;
}

/* The next white-space separated field of *p, NUL-terminated in place. */
static char *field(char **p)
{
	char *s = *p, *e;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return NULL;
	for (e = s; *e != '\0' && *e != ' ' && *e != '\t'; e++)
		;
	if (*e != '\0')
		*e++ = '\0';
	*p = e;
	return s;
}

/*
 * master_line - one "postconf -M" line: the seven columns of master(5)
 * and the command with its arguments.  Returns false for a line that
 * is not one, or a service defined twice.
 */
static bool master_line(struct pf_conf *pf, char *line)
{
	char *f[7], *p = line;
	struct pf_service *s;
	size_t i;
	bool typed = false;

	for (i = 0; i < 7; i++)
		if ((f[i] = field(&p)) == NULL)
			return false;
	while (*p == ' ' || *p == '\t')
		p++;
	for (i = 0; i < DG_ARRAY_LEN(svc_types); i++)
		typed |= strcmp(f[1], svc_types[i]) == 0;
	if (!typed || *p == '\0' || strlen(f[0]) > PF_NAME_MAX ||
	    !flag_ok(f[2]) || !flag_ok(f[3]) || !flag_ok(f[4]) ||
	    strlen(p) > PF_VALUE_MAX || find_service(pf, f[0], f[1]) != NULL)
		return false;
	pf->svc = xrealloc(pf->svc, (pf->nsvc + 1) * sizeof(*pf->svc));
	s = &pf->svc[pf->nsvc++];
	memset(s, 0, sizeof(*s));
	s->name = xstrdup(f[0]);
	s->type = xstrdup(f[1]);
	s->private_ = f[2][0];
	s->unpriv = f[3][0];
	s->chroot = f[4][0];
	s->command = xstrdup(p);
	return true;
}

int pf_parse_master(struct pf_conf *pf, const char *text, size_t len)
{
	return parse_lines(pf, text, len, master_line);
}

static bool key_char(char c)
{
	return c != '\0' && c != ' ' && c != '\t' && c != '=';
}

/* "NAME/TYPE/PARAM = VALUE": the service must be in master.cf. */
static bool override_line(struct pf_conf *pf, char *line)
{
	char *key, *value, *param, *type;
	struct pf_service *s;

	if (!split_assign(line, key_char, &key, &value) ||
	    (param = strrchr(key, '/')) == NULL)
		return false;
	*param++ = '\0';
	if ((type = strrchr(key, '/')) == NULL)
		return false;
	*type++ = '\0';
	if (*param == '\0' || strlen(param) > PF_NAME_MAX ||
	    (s = find_service(pf, key, type)) == NULL)
		return false;
	for (key = param; *key != '\0'; key++)
		if (!name_char(*key))
			return false;
	param_set(&s->opt, &s->nopt, param, value);
	return true;
}

int pf_parse_overrides(struct pf_conf *pf, const char *text, size_t len)
{
	int n = parse_lines(pf, text, len, override_line);

	pf_expand_all(pf);
	return n;
}

static int key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pf_param *)elem)->name);
}

const struct pf_param *pf_main_param(const struct pf_conf *pf,
				     const char *name)
{
	if (pf->nparam == 0)
		return NULL;
	return bsearch(name, pf->param, pf->nparam, sizeof(*pf->param),
		       key_cmp);
}

const char *pf_main(const struct pf_conf *pf, const char *name)
{
	const struct pf_param *p = pf_main_param(pf, name);

	return p != NULL ? p->value : NULL;
}

const char *pf_value(const struct pf_conf *pf, const struct pf_service *s,
		     const char *name)
{
	size_t i;

	for (i = 0; s != NULL && i < s->nopt; i++)
		if (strcmp(s->opt[i].name, name) == 0)
			return s->opt[i].value;
	return pf_main(pf, name);
}

bool pf_accepts_mail(const struct pf_service *s)
{
	static const char *const daemons[] = { "smtpd", "pickup", "qmqpd" };
	const char *cmd;
	size_t n, i;

	if (s == NULL || s->command == NULL)
		return false;
	/* A command may be a path below daemon_directory: its base name. */
	n = strcspn(s->command, " \t");
	for (i = n; i > 0 && s->command[i - 1] != '/'; i--)
		;
	cmd = s->command + i;
	n -= i;
	for (i = 0; i < DG_ARRAY_LEN(daemons); i++)
		if (strlen(daemons[i]) == n && memcmp(cmd, daemons[i], n) == 0)
			return true;
	return false;
}

static void params_free(struct pf_param *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].value);
		free(p[i].raw);
	}
	free(p);
}

void pf_free(struct pf_conf *pf)
{
	size_t i;

	params_free(pf->param, pf->nparam);
	for (i = 0; i < pf->nsvc; i++) {
		free(pf->svc[i].name);
		free(pf->svc[i].type);
		free(pf->svc[i].command);
		params_free(pf->svc[i].opt, pf->svc[i].nopt);
	}
	free(pf->svc);
	memset(pf, 0, sizeof(*pf));
}
