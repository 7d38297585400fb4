/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * postconf_expand.c: $name references in the values postconf(1) prints,
 * expanded as Postfix would (see postconf.h), so that the checks compare
 * what a service really uses ("$myhostname" as the host name, "$mynetworks"
 * as the networks).  Every bound is counted here, not trusted to the
 * input: see postconf.h, DESCRIPTION.
 */
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "postconf.h"
#include "util.h"

struct xp {
	const struct pf_conf *pf;
	const struct pf_service *s;	/* whose overrides come first */
	const char *self;		/* an override's $self is main.cf's */
	size_t len;
	unsigned refs;
	bool full;
	char out[PF_VALUE_MAX + 1];
};

static void expand(struct xp *x, const char *s, size_t n, unsigned depth);

static void put(struct xp *x, const char *s, size_t n)
{
	if (x->full)
		return;
	if (n > PF_VALUE_MAX - x->len) {
		n = PF_VALUE_MAX - x->len;
		x->full = true;
	}
	memcpy(x->out + x->len, s, n);
	x->len += n;
}

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* The raw text of name as the service sees it, or NULL when undefined. */
static const char *lookup(const struct xp *x, const char *name, size_t n)
{
	char key[PF_NAME_MAX + 1];
	const struct pf_param *p;
	size_t i;

	if (n > PF_NAME_MAX)
		return NULL;
	memcpy(key, name, n);
	key[n] = '\0';
	/*
	 * postconf prints these as the postconf process has them; each
	 * daemon has its own: the service's name, else kept as written.
	 */
	if (strcmp(key, "service_name") == 0)
		return x->s != NULL ? x->s->name : NULL;
	if (strcmp(key, "process_name") == 0 || strcmp(key, "process_id") == 0)
		return NULL;
	if (x->s != NULL && strcmp(key, x->self) != 0)
		for (i = 0; i < x->s->nopt; i++)
			if (strcmp(x->s->opt[i].name, key) == 0)
				return x->s->opt[i].raw;
	p = pf_main_param(x->pf, key);
	return p != NULL ? p->raw : NULL;
}

/* Whether one more reference may be expanded at this depth. */
static bool may_expand(struct xp *x, unsigned depth)
{
	if (depth >= PF_EXPAND_DEPTH || x->refs >= PF_EXPAND_REFS)
		return false;
	x->refs++;
	return true;
}

/* The index of the brace that closes s[0] ('{'), or 0 when none does. */
static size_t closing(const char *s, size_t n)
{
	size_t i, nest = 0;

	for (i = 0; i < n; i++)
		if (s[i] == '{')
			nest++;
		else if (s[i] == '}' && --nest == 0)
			return i;
	return 0;
}

/*
 * conditional - the text after "${name?" or "${name:" (val, vlen): a
 * value, "{value}", or for '?' "{value}:{value}"; the branch that
 * applies is expanded.  Returns false for another form.
 */
static bool conditional(struct xp *x, char op, bool set, const char *val,
			size_t vlen, unsigned depth)
{
	const char *other = NULL;
	size_t m, olen = 0;

	if (vlen > 0 && val[0] == '{') {
		if ((m = closing(val, vlen)) == 0)
			return false;
		if (m + 1 < vlen) {
			/* ${name?{a}:{b}}: b when name is empty. */
			if (op != '?' || val[m + 1] != ':' || m + 2 >= vlen ||
			    val[m + 2] != '{' ||
			    closing(val + m + 2, vlen - m - 2) != vlen - m - 3)
				return false;
			other = val + m + 3;
			olen = vlen - m - 4;
		}
		val++;
		vlen = m - 1;
	}
	if (set != (op == '?')) {
		val = other;
		vlen = olen;
	}
	if (val == NULL)
		return true;
	if (!may_expand(x, depth))
		return false;
	expand(x, val, vlen, depth + 1);
	return true;
}

/*
 * braced - "${...}" or "$(...)" at s: a reference, a conditional, or
 * anything else (such as "${{$x} < {2} ? ...}") kept as written.
 * Returns the bytes consumed.
 */
static size_t braced(struct xp *x, const char *s, size_t n, unsigned depth)
{
	char open = s[1], close = open == '{' ? '}' : ')';
	size_t i, k, nest = 0, end = 0;
	const char *v;
	bool done = false;

	for (i = 1; i < n && end == 0; i++)
		if (s[i] == open)
			nest++;
		else if (s[i] == close && --nest == 0)
			end = i;
	if (end == 0) {
		put(x, s, 1);		/* unbalanced: the rest is text */
		return 1;
	}
	for (k = 2; k < end && word_char(s[k]); k++)
		;
	v = lookup(x, s + 2, k - 2);
	if (k > 2 && s[k] == close) {
		if ((done = v != NULL && may_expand(x, depth)))
			expand(x, v, strlen(v), depth + 1);
	} else if (k > 2 && (s[k] == '?' || s[k] == ':')) {
		done = conditional(x, s[k], v != NULL && v[0] != '\0',
				   s + k + 1, end - k - 1, depth);
	}
	if (!done)
		put(x, s, end + 1);
	return end + 1;
}

/* One reference at s (s[0] is '$'): returns the bytes consumed. */
static size_t reference(struct xp *x, const char *s, size_t n, unsigned depth)
{
	const char *v;
	size_t k;

	if (n >= 2 && s[1] == '$') {
		put(x, "$", 1);
		return 2;
	}
	if (n >= 2 && (s[1] == '{' || s[1] == '('))
		return braced(x, s, n, depth);
	for (k = 1; k < n && word_char(s[k]); k++)
		;
	v = k > 1 ? lookup(x, s + 1, k - 1) : NULL;
	if (v != NULL && may_expand(x, depth))
		expand(x, v, strlen(v), depth + 1);
	else
		put(x, s, k);
	return k;
}

static void expand(struct xp *x, const char *s, size_t n, unsigned depth)
{
	size_t i = 0;

	while (i < n && !x->full) {
		const char *d = memchr(s + i, '$', n - i);
		size_t lit = d != NULL ? (size_t)(d - (s + i)) : n - i;

		put(x, s + i, lit);
		i += lit;
		if (d == NULL)
			break;
		i += reference(x, s + i, n - i, depth);
	}
}

static void expand_param(const struct pf_conf *pf, const struct pf_service *s,
			 struct pf_param *p, struct xp *x)
{
	x->pf = pf;
	x->s = s;
	x->self = p->name;
	x->len = 0;
	x->refs = 0;
	x->full = false;
	expand(x, p->raw, strlen(p->raw), 0);
	x->out[x->len] = '\0';
	free(p->value);
	p->value = xstrdup(x->out);
}

void pf_expand_all(struct pf_conf *pf)
{
	struct xp *x = xmalloc(sizeof(*x));
	size_t i, j;

	for (i = 0; i < pf->nparam; i++)
		expand_param(pf, NULL, &pf->param[i], x);
	for (i = 0; i < pf->nsvc; i++)
		for (j = 0; j < pf->svc[i].nopt; j++)
			expand_param(pf, &pf->svc[i], &pf->svc[i].opt[j], x);
	free(x);
}
