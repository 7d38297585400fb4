/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * owner.c: sender ownership, the smtpd_sender_login_maps semantics of
 * dotgate.conf(5), LOGIN MAP (see owner.h).  The sender is reduced to Postfix's
 * internal form first, because that is the address the MTA will really
 * use: matching the raw text would let "alice"@example.test or
 * alice@example.test. slip past a key written for alice@example.test.
 *
 * Everything works in fixed stack buffers: the lookup runs once per
 * MAIL FROM in libmilter worker threads and must neither allocate nor
 * touch shared state.
 */
#include <stdbool.h>
#include <string.h>

#include "loginmap.h"
#include "owner.h"
#include "util.h"

/* A sender longer than this is not even scanned (libmilter strings are
 * bounded, but nothing here relies on that). */
#define OWNER_RAW_MAX (4 * OWNER_ADDR_MAX)
#define OWNER_NKEYS 5

struct addr {
	char a[OWNER_ADDR_MAX + 1];	/* internal form */
	size_t len;
	size_t at;			/* last '@', or len when none */
	size_t plus;			/* detail '+', or at when none */
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Finds the sender inside surrounding spaces and one pair of <>; sets
 * *len, or returns NULL when the text is longer than OWNER_RAW_MAX.
 */
static const char *strip(const char *s, size_t *len)
{
	size_t n = strnlen(s, OWNER_RAW_MAX + 1);

	if (n > OWNER_RAW_MAX)
		return NULL;
	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
		while (n > 0 && is_space(*s)) {
			s++;
			n--;
		}
		while (n > 0 && is_space(s[n - 1]))
			n--;
	}
	*len = n;
	return s;
}

size_t owner_strip(const char *sender, char *out, size_t outlen)
{
	size_t n = 0, copy;
	const char *s = sender ? strip(sender, &n) : "";

	if (s == NULL) {		/* over-long: show its start */
		s = sender;
		n = OWNER_RAW_MAX + 1;
	}
	if (outlen == 0)
		return n;
	copy = n < outlen - 1 ? n : outlen - 1;
	memcpy(out, s, copy);
	out[copy] = '\0';
	return n;
}

/*
 * Internal form (RFC 5321 path to Postfix's internal address): drops a
 * source route, quotes and backslash escapes, and trailing dots of the
 * domain, then finds the domain and the detail.
 */
static void internalise(const char *s, size_t n, struct addr *a)
{
	size_t i = 0, o = 0;
	bool esc = false;

	if (n > 0 && s[0] == '@') {
		const char *colon = memchr(s, ':', n);

		if (colon != NULL)
			i = (size_t)(colon - s) + 1;
	}
	for (; i < n; i++) {
		if (!esc && s[i] == '\\') {
			esc = true;
			continue;
		}
		if (!esc && s[i] == '"')
			continue;
		esc = false;
		a->a[o++] = s[i];	/* o <= n <= OWNER_ADDR_MAX */
	}
	a->a[o] = '\0';
	a->at = o;
	for (size_t j = o; j > 0; j--) {
		if (a->a[j - 1] == '@') {
			a->at = j - 1;
			break;
		}
	}
	if (a->at < o)
		while (o > a->at + 1 && a->a[o - 1] == '.')
			a->a[--o] = '\0';
	a->len = o;
	a->plus = a->at;
	for (size_t j = 1; j < a->at; j++) {	/* a leading '+' is no detail */
		if (a->a[j] == '+') {
			a->plus = j;
			break;
		}
	}
}

static void join(char *key, const char *local, size_t llen, const char *domain)
{
	size_t dlen = strlen(domain);

	memcpy(key, local, llen);
	key[llen] = '@';
	memcpy(key + llen + 1, domain, dlen + 1);
}

/*
 * Writes key number i (see owner.h for the order) into key; returns
 * false when that key does not apply to this address.
 */
static bool make_key(const struct addr *a, int i, char key[OWNER_ADDR_MAX + 2])
{
	bool detail = a->plus < a->at;
	bool qualified = a->at < a->len;
	const char *domain = qualified ? a->a + a->at + 1 : "";

	switch (i) {
	case 0:
		memcpy(key, a->a, a->len + 1);
		return true;
	case 1:
		if (!detail || !qualified)
			return false;
		join(key, a->a, a->plus, domain);
		return true;
	case 2:
		join(key, a->a, a->at, "");
		return true;
	case 3:
		if (!detail)
			return false;
		join(key, a->a, a->plus, "");
		return true;
	case 4:
		if (!qualified)
			return false;
		join(key, "", 0, domain);
		return true;
	default:
		return false;
	}
}

static bool lists(const struct loginmap_entry *e, const char *login)
{
	for (size_t i = 0; i < e->nlogins; i++)
		if (dg_strcasecmp_ascii(e->logins[i], login) == 0)
			return true;
	return false;
}

static bool ascii_caseeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if ((x >= 'A' && x <= 'Z' ? x + 32 : x) != (y >= 'A' && y <= 'Z' ? y + 32 : y))
			return false;
	}
	return true;
}

/* Is login among the logins of a remote map's value ("a, b c")? */
static bool value_lists(const char *v, const char *login)
{
	size_t llen = strlen(login);

	while (*v != '\0') {
		size_t n;

		v += strspn(v, ", \t");
		n = strcspn(v, ", \t");
		if (n == llen && n > 0 && ascii_caseeq(v, login, n))
			return true;
		v += n;
	}
	return false;
}

/* The map's answer for key: 1 decided (*owned set), 0 no key, -1 failed. */
static int map_answer(const struct dg_policy_senders *s,
		      const struct owner_remote *remote, const char *key,
		      const char *login, bool *owned)
{
	const struct loginmap_entry *e;
	char value[4096];
	int rc;

	if (remote == NULL) {
		if ((e = loginmap_get(s->map, key)) == NULL)
			return 0;
		*owned = lists(e, login);
		return 1;
	}
	if ((rc = remote->get(remote->arg, key, value, sizeof(value))) == 1)
		*owned = value_lists(value, login);
	return rc;
}

enum owner_result owner_lookup(const struct dg_policy_senders *s,
			       const char *sender, const char *login,
			       const struct owner_remote *remote)
{
	struct addr a;
	char key[OWNER_ADDR_MAX + 2];
	int map_state = 0;		/* 1: a key decided, -1: lookup failed */
	bool inline_key = false, owned = false;
	const char *text;
	size_t n = 0;

	text = strip(sender ? sender : "", &n);
	if (text == NULL || n > OWNER_ADDR_MAX)
		return OWNER_INVALID;
	internalise(text, n, &a);
	if (a.len == 0)
		return OWNER_NULL;
	if (login == NULL || *login == '\0'
	    || strnlen(login, OWNER_ADDR_MAX + 1) > OWNER_ADDR_MAX)
		return OWNER_INVALID;

	for (int i = 0; i < OWNER_NKEYS && !owned; i++) {
		const struct loginmap_entry *e;

		if (!make_key(&a, i, key))
			continue;
		if (map_state == 0)	/* the first existing key decides */
			map_state = map_answer(s, remote, key, login, &owned);
		if ((e = loginmap_get(s->inline_users, key)) != NULL) {
			inline_key = true;
			owned = owned || lists(e, login);
		}
	}
	if (owned)
		return OWNER_OWNED;
	if (map_state < 0)
		return OWNER_FAILED;
	return map_state == 0 && !inline_key ? OWNER_UNLISTED : OWNER_OTHERS;
}

const char *owner_result_name(enum owner_result r)
{
	switch (r) {
	case OWNER_OWNED:
		return "owned";
	case OWNER_UNLISTED:
		return "unlisted";
	case OWNER_OTHERS:
		return "others";
	case OWNER_NULL:
		return "null";
	case OWNER_INVALID:
		return "invalid";
	case OWNER_FAILED:
		return "failed";
	}
	return "invalid";
}
