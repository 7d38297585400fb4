/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loginmap.c: sender-to-logins hash table and its text-map loader (see
 * loginmap.h).  Open addressing with FNV-1a over the lower-cased key:
 * 100,000 keys load in tens of milliseconds and look up in O(1).  The
 * text form is Postfix's: continuation lines start with white space.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loginmap.h"
#include "util.h"

#define LOGINMAP_FIELD_MAX 1024
#define LOGINMAP_LINE_MAX 65536

struct loginmap {
	struct loginmap_entry *slots;	/* key == NULL: empty */
	size_t cap;			/* power of two */
	size_t n;
};

struct loginmap *loginmap_new(void)
{
	struct loginmap *m = xcalloc(1, sizeof(*m));

	m->cap = 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	return m;
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct loginmap_entry *find_slot(struct loginmap_entry *slots,
					size_t cap, const char *key)
{
	size_t i = (size_t)hash(key) & (cap - 1);

	while (slots[i].key != NULL && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static void grow(struct loginmap *m)
{
	size_t cap = m->cap * 2;
	struct loginmap_entry *slots = xcalloc(cap, sizeof(*slots));

	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key != NULL)
			*find_slot(slots, cap, m->slots[i].key) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

int loginmap_add(struct loginmap *m, const char *key, const char *login)
{
	struct loginmap_entry *e;
	char *k, *l;

	if (*key == '\0' || *login == '\0' || strlen(key) > LOGINMAP_FIELD_MAX
	    || strlen(login) > LOGINMAP_FIELD_MAX)
		return -1;
	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	k = xstrdup(key);
	dg_lower_ascii(k);
	e = find_slot(m->slots, m->cap, k);
	if (e->key == NULL) {
		e->key = k;
		m->n++;
	} else {
		free(k);
	}
	l = xstrdup(login);
	dg_lower_ascii(l);
	for (size_t i = 0; i < e->nlogins; i++) {
		if (strcmp(e->logins[i], l) == 0) {
			free(l);
			return 0;
		}
	}
	e->logins = xrealloc(e->logins, (e->nlogins + 1) * sizeof(char *));
	e->logins[e->nlogins++] = l;
	return 0;
}

const struct loginmap_entry *loginmap_get(const struct loginmap *m,
					  const char *key)
{
	char k[LOGINMAP_FIELD_MAX + 1];
	const struct loginmap_entry *e;

	if (m == NULL || strlen(key) > LOGINMAP_FIELD_MAX)
		return NULL;
	strcpy(k, key);
	dg_lower_ascii(k);
	e = find_slot(m->slots, m->cap, k);
	return e->key ? e : NULL;
}

size_t loginmap_size(const struct loginmap *m)
{
	return m ? m->n : 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char *next_login(char **cursor)
{
	char *s = *cursor, *start;

	while (*s && (is_space(*s) || *s == ','))
		s++;
	if (*s == '\0')
		return NULL;
	start = s;
	while (*s && !is_space(*s) && *s != ',')
		s++;
	if (*s)
		*s++ = '\0';
	*cursor = s;
	return start;
}

/* Parses one map line; returns NULL when fine, else the error message. */
static const char *load_line(struct loginmap *m, char *line)
{
	char *key, *cursor, *login;
	int nlogins = 0;

	while (is_space(*line))
		line++;
	if (*line == '\0' || *line == '#')
		return NULL;
	key = line;
	while (*line && !is_space(*line))
		line++;
	if (*line == '\0')
		return "key without a login (expected: KEY login1, login2)";
	*line++ = '\0';
	if (strchr(key, '@') == NULL)
		return "key must be user@domain, user@ or @domain";
	cursor = line;
	while ((login = next_login(&cursor)) != NULL) {
		if (loginmap_add(m, key, login) < 0)
			return "key or login too long (at most 1024 bytes)";
		nlogins++;
	}
	return nlogins ? NULL : "key without a login (expected: KEY login1, login2)";
}

/*
 * A logical line as Postfix's readlline() builds it: it starts with
 * non-whitespace text, and a line that starts with whitespace continues
 * it.  Comment and blank lines are skipped, also between a line and its
 * continuation.  The map reports errors at the logical line's first line.
 */
struct logical {
	char *buf;
	size_t len;
	unsigned lineno;	/* 0: no logical line pending */
	bool broken;		/* a part was too long: drop it silently */
};

static int flush(struct loginmap *m, struct logical *l, const char *path,
		 conf_err_fn *err, void *arg)
{
	const char *msg;
	int errors = 0;

	if (l->lineno != 0 && !l->broken && (msg = load_line(m, l->buf)) != NULL) {
		err(arg, path, l->lineno, msg);
		errors = 1;
	}
	l->len = 0;
	l->buf[0] = '\0';
	l->lineno = 0;
	l->broken = false;
	return errors;
}

/* Appends a continuation; returns -1 when the logical line gets too long. */
static int append(struct logical *l, const char *text)
{
	size_t n = strlen(text);

	if (l->len + 1 + n >= LOGINMAP_LINE_MAX)
		return -1;
	l->buf[l->len++] = ' ';
	memcpy(l->buf + l->len, text, n + 1);
	l->len += n;
	return 0;
}

static int is_blank_or_comment(const char *s)
{
	while (is_space(*s))
		s++;
	return *s == '\0' || *s == '#';
}

int loginmap_load(struct loginmap *m, const char *path, conf_err_fn *err,
		  void *arg)
{
	char *line = xmalloc(LOGINMAP_LINE_MAX);
	struct logical l = { xmalloc(LOGINMAP_LINE_MAX), 0, 0, false };
	unsigned lineno = 0;
	int errors = 0;
	FILE *fp = fopen(path, "r");

	if (fp == NULL) {
		char msg[256];

		snprintf(msg, sizeof(msg), "cannot read login map %s: %s", path, strerror(errno));
		err(arg, path, 0, msg);
		free(line);
		free(l.buf);
		return -1;
	}
	l.buf[0] = '\0';
	while (fgets(line, LOGINMAP_LINE_MAX, fp) != NULL) {
		int continues = is_space(line[0]);

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			err(arg, path, lineno, "line longer than 65535 bytes");
			errors++;
			for (int c = fgetc(fp); c != EOF && c != '\n'; c = fgetc(fp))
				;
			if (!continues) {
				errors += flush(m, &l, path, err, arg);
				l.lineno = lineno;	/* swallow its continuations */
			}
			l.broken = true;
			continue;
		}
		if (is_blank_or_comment(line))
			continue;
		if (!continues) {
			errors += flush(m, &l, path, err, arg);
			l.lineno = lineno;
			l.len = strlen(line);
			memcpy(l.buf, line, l.len + 1);
		} else if (l.lineno == 0) {
			err(arg, path, lineno, "line starts with white space but "
			    "continues no entry");
			errors++;
		} else if (append(&l, line) < 0 && !l.broken) {
			err(arg, path, l.lineno, "entry longer than 65535 bytes");
			errors++;
			l.broken = true;
		}
	}
	errors += flush(m, &l, path, err, arg);
	if (ferror(fp)) {
		err(arg, path, lineno, "read error");
		errors++;
	}
	fclose(fp);
	free(line);
	free(l.buf);
	return errors;
}

void loginmap_free(struct loginmap *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->cap; i++) {
		struct loginmap_entry *e = &m->slots[i];

		if (e->key == NULL)
			continue;
		for (size_t j = 0; j < e->nlogins; j++)
			free(e->logins[j]);
		free(e->logins);
		free((char *)e->key);
	}
	free(m->slots);
	free(m);
}
