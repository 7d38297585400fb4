/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	policy - the compiled, immutable, reference-counted dotgate policy
 * SYNOPSIS
 *	struct dg_policy *policy_load(const char *path, conf_err_fn *err, void *arg);
 *	struct dg_policy *policy_load_dump(const char *path, conf_err_fn *err,
 *					   void *arg, FILE *dump);
 *	struct dg_policy *policy_ref(struct dg_policy *p);
 *	void policy_unref(struct dg_policy *p);
 *
 *	void policy_install(struct dg_policy *p);
 *	struct dg_policy *policy_current(void);
 *	extern const char *const dg_mode_names[DG_MODE_COUNT];
 *
 *	bool policy_valid_socket(const char *spec);
 *	int policy_socket_spec(const char *spec, char *out, size_t outlen);
 * DESCRIPTION
 *	policy_load() parses the libconfuse file at path (dotgate.conf(5)),
 *	validates every key and every file it names, and returns a policy
 *	with one reference; on any error it reports each one through err
 *	(conferr.h) and returns NULL.  Unknown keys, keys given twice and
 *	invalid values do not stop it, so "dotgate -n" lists them all; a
 *	syntax error, an unknown block or list, or a duplicate user title
 *	ends the parse (libconfuse cannot resume after one): it is reported
 *	with the errors before it, and the rest of the file is not checked.
 *	Loads are serialised: libconfuse's scanner is not reentrant.
 *	policy_load_dump() is policy_load() that also writes, when the file
 *	has no error, the effective configuration to dump: every key of
 *	every section with its value, defaults included, in dotgate.conf
 *	syntax ("dotgate -d").
 *	policy_ref()/policy_unref() count references atomically; the last
 *	unref frees the policy.  A policy is never modified after load, so
 *	any thread may read it without a lock.
 *	policy_install() makes p the current policy (taking over the
 *	caller's reference) and drops the previous one; policy_current()
 *	returns a new reference to the current policy, which each
 *	connection holds until it closes.  Swap and take are atomic, so a
 *	reload never blocks mail.
 *	dg_mode_names is the one table of mode names ("enforce",
 *	"monitor"), as the configuration and the records write them (read
 *	it with dg_name(), util.h).
 *	policy_socket_spec() accepts the libmilter forms unix:/path,
 *	local:/path and a bare /path (absolute, fits sun_path),
 *	inet:PORT[@HOST] and inet6:PORT[@HOST] with PORT from 1 to 65535,
 *	and writes the form the daemon uses into out ("unix:/path" for the
 *	three path forms); it returns 0, or -1 for anything else or when
 *	out is too small.  The daemon applies it to -p as well.
 *	policy_valid_socket() is policy_socket_spec() without the result.
 */
#ifndef DG_POLICY_H
#define DG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/types.h>

#include "anomaly.h"
#include "conferr.h"
#include "reply.h"

struct cidr_list;
struct loginmap;

enum dg_mode { DG_MODE_ENFORCE, DG_MODE_MONITOR, DG_MODE_COUNT };
enum dg_on_error { DG_ONERR_TEMPFAIL, DG_ONERR_ACCEPT };
enum dg_unlisted { DG_UNLISTED_REJECT, DG_UNLISTED_ALLOW };
enum dg_header_from { DG_HFROM_IGNORE, DG_HFROM_CHECK };
enum dg_null_sender { DG_NULL_ALLOW, DG_NULL_REJECT };

struct dg_policy_auth {
	bool require;
	struct cidr_list *exempt;	/* never NULL */
	char **daemons;			/* empty: enforce on all */
	size_t ndaemons;
	char **mechanisms;		/* upper-cased; empty: any */
	size_t nmechanisms;
	char **exempt_logins;		/* no sender check for these */
	size_t nexempt_logins;
	bool plaintext_needs_tls;
	struct dg_reply unauthenticated;
	struct dg_reply plaintext;
	struct dg_reply mechanism;
};

struct mapspec;

struct dg_policy_senders {
	char *login_map_path;		/* "" when none */
	struct loginmap *map;		/* never NULL (empty if no file) */
	struct mapspec *remote;		/* socketmap:/tcp: login_map; NULL: file */
	struct loginmap *inline_users;	/* key: address or @domain -> logins */
	enum dg_unlisted unlisted;
	enum dg_null_sender null_sender;
	struct dg_reply reply;
	struct dg_reply lookup_error;	/* a remote map failed, on_error tempfail */
	enum dg_header_from header_from;
	struct dg_reply reply_header_from;	/* sender.header_not_owned */
	struct dg_reply reply_header_malformed;	/* sender.header_malformed */
};

struct dg_policy_body {
	enum dg_action action[DG_CLASS_COUNT];
	size_t max_line_length;
	char *tag_header;
	struct dg_reply reject;
	struct dg_reply tempfail;
	char **exempt_logins;		/* no body scan for these */
	size_t nexempt_logins;
};

struct dg_policy_audit {
	bool syslog;
	int facility;			/* LOG_MAIL etc. */
	char *syslog_socket;		/* the syslog daemon's socket */
	char *file;			/* "" when none */
	bool required;			/* no mail accepted without a record */
	struct dg_reply reply_required;	/* 4xx: the record was kept nowhere */
};

struct dg_policy_metrics {
	char *listen;			/* "" when off */
	bool allow_remote;
};

#define DG_SOCKET_MAX 512		/* bytes of a socket spec, with NUL */
#define DG_HOST_MAX 255		/* bytes of the host key */

struct dg_policy {
	atomic_int refs;		/* see policy.c */
	char *path;
	char *socket;
	char *host;			/* audit field "host"; never empty */
	mode_t socket_mode;
	char *socket_group;		/* "" when the process's own */
	gid_t socket_gid;		/* (gid_t)-1 when "" */
	enum dg_mode mode;
	enum dg_on_error on_error;
	struct dg_policy_auth auth;
	struct dg_policy_senders senders;
	struct dg_policy_body body;
	struct dg_policy_audit audit;
	struct dg_policy_metrics metrics;
};

struct dg_policy *policy_load(const char *path, conf_err_fn *err, void *arg);
struct dg_policy *policy_load_dump(const char *path, conf_err_fn *err,
				   void *arg, FILE *dump);
struct dg_policy *policy_ref(struct dg_policy *p);
void policy_unref(struct dg_policy *p);
void policy_install(struct dg_policy *p);
struct dg_policy *policy_current(void);
extern const char *const dg_mode_names[];	/* DG_MODE_COUNT names */
bool policy_valid_socket(const char *spec);
int policy_socket_spec(const char *spec, char *out, size_t outlen);

#endif
