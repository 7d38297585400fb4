/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mechclass.c: classifies SASL mechanisms as plaintext-class or not, for
 * the "plaintext_needs_tls" rule (see mechclass.h).  The answer comes
 * from libsasl2 itself (the installed client plugins' security flags),
 * so a site that installs a new mechanism gets it classified by its
 * author's own claim; a small built-in table covers mechanisms the MTA
 * may offer through a different SASL stack (Dovecot SASL, XOAUTH2) that
 * are not installed here.
 *
 * The snapshot is a fixed static array written once by mechclass_init()
 * in the main thread before libmilter starts its workers, and only read
 * afterwards: no lock is needed on the lookup path.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <sasl/sasl.h>
#include <sasl/saslplug.h>

#include "mechclass.h"
#include "util.h"

/* RFC 4422 section 3.1: a mechanism name is 1 to 20 characters. */
#define MECH_NAME_MAX 20
#define MECH_SNAPSHOT_MAX 64

struct mech_entry {
	char name[MECH_NAME_MAX + 1];
	bool plaintext;
};

static struct mech_entry snapshot[MECH_SNAPSHOT_MAX];
static size_t nsnapshot;
static bool initialised;
static int init_result;
static bool sasl_up;

/*
 * Mechanisms the MTA may announce without a local plugin.  The classes
 * agree with the flags of the Cyrus plugins that do exist, so a name is
 * classified the same whether or not its plugin is installed.
 */
static const struct mech_entry builtin[] = {
	{ "PLAIN", true },
	{ "LOGIN", true },
	{ "XOAUTH2", true },
	{ "OAUTHBEARER", true },
	{ "CRAM-MD5", false },
	{ "DIGEST-MD5", false },
	{ "GSSAPI", false },
	{ "GSS-SPNEGO", false },
	{ "EXTERNAL", false },
	{ "NTLM", false },
	{ "ANONYMOUS", false },
	{ "OTP", false },
	{ "SRP", false },
	{ "KERBEROS_V4", false },
};

/* Families where every member avoids sending the password in clear. */
static const char *const builtin_prefix_safe[] = { "SCRAM-", "GS2-" };

/*
 * Copies an upper-cased mechanism name into out; returns false when the
 * name is empty, too long or uses characters RFC 4422 does not allow,
 * which the caller then treats as unknown.
 */
static bool normalise(const char *mech, char out[MECH_NAME_MAX + 1])
{
	size_t n = 0;

	if (mech == NULL)
		return false;
	for (; mech[n] != '\0'; n++) {
		char c = mech[n];

		if (n >= MECH_NAME_MAX)
			return false;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		      || c == '-' || c == '_'))
			return false;
		out[n] = c;
	}
	out[n] = '\0';
	return n > 0;
}

static void snapshot_add(client_sasl_mechanism_t *m,
			 sasl_info_callback_stage_t stage, void *rock)
{
	char name[MECH_NAME_MAX + 1];

	(void)rock;
	if (stage != SASL_INFO_LIST_MECH || m == NULL || m->plug == NULL)
		return;
	if (nsnapshot >= MECH_SNAPSHOT_MAX || !normalise(m->plug->mech_name, name))
		return;
	for (size_t i = 0; i < nsnapshot; i++)
		if (strcmp(snapshot[i].name, name) == 0)
			return;		/* first plugin wins, as libsasl2's own order */
	memcpy(snapshot[nsnapshot].name, name, sizeof(name));
	snapshot[nsnapshot].plaintext =
	    (m->plug->security_flags & SASL_SEC_NOPLAINTEXT) == 0;
	nsnapshot++;
}

int mechclass_init(void)
{
	if (initialised)
		return init_result;
	initialised = true;
	if (sasl_client_init(NULL) != SASL_OK) {
		init_result = -1;
		return init_result;
	}
	sasl_up = true;
	if (sasl_client_plugin_info(NULL, snapshot_add, NULL) != SASL_OK)
		init_result = -1;
	return init_result;
}

static const struct mech_entry *find(const struct mech_entry *t, size_t n,
				     const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

/* Installed plugins first, then the built-in table. */
static const struct mech_entry *lookup(const char *name)
{
	const struct mech_entry *e = find(snapshot, nsnapshot, name);

	return e ? e : find(builtin, DG_ARRAY_LEN(builtin), name);
}

static bool classify(const char *name)
{
	static const char plus[] = "-PLUS";
	const struct mech_entry *e = lookup(name);
	size_t len = strlen(name), plen = sizeof(plus) - 1;

	if (e != NULL)
		return e->plaintext;
	if (len > plen && strcmp(name + len - plen, plus) == 0) {
		char base[MECH_NAME_MAX + 1];

		memcpy(base, name, len - plen);
		base[len - plen] = '\0';
		if ((e = lookup(base)) != NULL)
			return e->plaintext;
	}
	for (size_t i = 0; i < DG_ARRAY_LEN(builtin_prefix_safe); i++)
		if (strncmp(name, builtin_prefix_safe[i], strlen(builtin_prefix_safe[i])) == 0)
			return false;
	return true;		/* unknown: fail safe */
}

bool mechclass_is_plaintext(const char *mech)
{
	char name[MECH_NAME_MAX + 1];

	if (!normalise(mech, name))
		return true;
	return classify(name);
}

bool mechclass_installed(const char *mech)
{
	char name[MECH_NAME_MAX + 1];

	return normalise(mech, name) && find(snapshot, nsnapshot, name) != NULL;
}

void mechclass_done(void)
{
	if (sasl_up)
		(void)sasl_client_done();
	sasl_up = false;
}
