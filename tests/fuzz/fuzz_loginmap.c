/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_loginmap.c: fuzz target for the login-map parser (Postfix
 * smtpd_sender_login_maps text form).  The input is written to a private
 * file and loaded; every error must carry a message and a line inside
 * the file.  Then every key of the input's lines (first word, as given
 * and lower-cased) is looked up, so the hash table is exercised with the
 * same hostile bytes, and the map is freed.
 */
#include <ctype.h>
#include <string.h>

#include "fuzz.h"
#include "loginmap.h"

struct errs {
	unsigned n;
	unsigned lines;
};

static void on_err(void *arg, const char *file, unsigned line, const char *msg)
{
	struct errs *e = arg;

	(void)file;
	e->n++;
	if (msg == NULL || *msg == '\0')
		fuzz_fail("error without a message at line %u", line);
	if (line > e->lines + 1)
		fuzz_fail("error at line %u of a %u-line map: %s", line,
			  e->lines, msg);
}

static void lookup_keys(const struct loginmap *m, const uint8_t *d, size_t n)
{
	char key[1100];
	size_t i = 0;

	while (i < n) {
		size_t k = 0;

		while (i < n && (d[i] == ' ' || d[i] == '\t'))
			i++;
		while (i < n && d[i] != '\n' && d[i] != ' ' && d[i] != '\t' &&
		       k < sizeof(key) - 1)
			key[k++] = d[i] ? (char)d[i] : '?', i++;
		key[k] = '\0';
		if (k > 0) {
			const struct loginmap_entry *en = loginmap_get(m, key);
			size_t j;

			if (en != NULL)
				for (j = 0; j < en->nlogins; j++)
					if (en->logins[j] == NULL)
						fuzz_fail("NULL login for %s", key);
			for (j = 0; j < k; j++)
				key[j] = (char)tolower((unsigned char)key[j]);
			(void)loginmap_get(m, key);
		}
		while (i < n && d[i] != '\n')
			i++;
		i++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loginmap *m;
	struct errs e = { 0, 0 };
	size_t i;
	int rc;

	if (size > 65536)
		return 0;
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			e.lines++;
	m = loginmap_new();
	rc = loginmap_load(m, fuzz_tmpfile(data, size), on_err, &e);
	if (rc < 0)
		fuzz_fail("loginmap_load could not read its own file");
	if ((unsigned)rc != e.n)
		fuzz_fail("loginmap_load returned %d after %u errors", rc, e.n);
	lookup_keys(m, data, size);
	(void)loginmap_size(m);
	loginmap_free(m);
	return 0;
}
