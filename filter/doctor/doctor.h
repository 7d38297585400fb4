/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	doctor - the parts of dotgate-doctor(8): findings, the Postfix and
 *	Sendmail configurations as read, and the checks over them
 * SYNOPSIS
 *	#include "doctor.h"
 *
 *	void dr_add(struct dr_report *r, enum dr_level level,
 *		    const char *service, const char *setting,
 *		    const char *value, const char *fix,
 *		    const char *meaning_fmt, ...);
 *	void dr_print_text(FILE *fp, const struct dr_report *r);
 *	void dr_print_json(FILE *fp, const struct dr_report *r);
 *	int  dr_exit_status(const struct dr_report *r);
 *	void dr_report_free(struct dr_report *r);
 *
 *	int  pf_read(struct pf_conf *pf, const char *config_dir,
 *		     char *err, size_t errlen);
 *	int  pf_parse_main(struct pf_conf *pf, const char *text, size_t len);
 *	int  pf_parse_master(struct pf_conf *pf, const char *text, size_t len);
 *	int  pf_parse_overrides(struct pf_conf *pf, const char *text,
 *				size_t len);
 *	const char *pf_main(const struct pf_conf *pf, const char *name);
 *	const char *pf_value(const struct pf_conf *pf,
 *			     const struct pf_service *s, const char *name);
 *	bool pf_accepts_mail(const struct pf_service *s);
 *	void pf_free(struct pf_conf *pf);
 *	void pf_check(struct dr_report *r, const struct pf_conf *pf,
 *		      const struct dg_policy *p);
 *
 *	int  sm_read(struct sm_conf *sm, const char *cf_path,
 *		     char *err, size_t errlen);
 *	int  sm_parse(struct sm_conf *sm, const char *text, size_t len);
 *	int  sm_parse_access(struct sm_conf *sm, const char *text,
 *			     size_t len, const char *origin);
 *	const char *sm_field(const char *list, char key, size_t *len);
 *	void sm_free(struct sm_conf *sm);
 *	void sm_check(struct dr_report *r, const struct sm_conf *sm,
 *		      const struct dg_policy *p);
 * DESCRIPTION
 *	A finding is one line of dotgate-doctor(8)'s output: a level
 *	(risk, warn, ok), the service it is about ("main.cf" for a main.cf
 *	setting that no service overrides, a master.cf service as
 *	"NAME/TYPE", "sendmail.cf" or a Sendmail daemon, "dotgate.conf"),
 *	the setting and its value as the MTA has it, what it means for this
 *	server in one sentence, and the exact command that fixes it (empty
 *	for ok findings and where no command can).  dr_add() copies every
 *	string and formats the meaning; dr_print_text() prints one finding
 *	a line, dr_print_json() the report as one JSON object (jansson);
 *	dr_exit_status() is 1 when any finding is a risk, else 0.
 *
 *	pf_read() runs postconf(1) (with -c config_dir unless it is NULL):
 *	"postconf" for every main.cf parameter with its value or default,
 *	"postconf -M" for the master.cf services and "postconf -P" for
 *	their -o overrides, and parses each output with pf_parse_*(), which
 *	take text (bounded, hostile: a line too long or malformed is
 *	skipped and counted in pf->skipped, never a crash; the fuzz target
 *	feeds them).  pf_value() is a parameter as service s sees it: its -o
 *	override, else main.cf's value (s NULL: main.cf's).  Values are kept
 *	as postconf prints them, with $name references expanded as far as
 *	main.cf defines them (->raw keeps the text as printed).
 *	pf_accepts_mail() is true for an smtpd service (any type: inet,
 *	unix, or pass behind postscreen) and for pickup/qmqpd.
 *	pf_check() adds the Postfix findings of dotgate-doctor(8), "POSTFIX
 *	CHECKS", comparing with dotgate's policy p (may be NULL when
 *	dotgate.conf could not be read: the checks that need it are left
 *	out).
 *
 *	sm_read()/sm_parse() read a sendmail.cf: the version (DZ), the
 *	daemon options (O DaemonPortOptions), the input mail filters
 *	(X lines, O InputMailFilters) and srv_features: a .cf has no
 *	option for it but a ruleset (srv_features, and Local_srv_features
 *	from LOCAL_SRV_FEATURES) whose $# answers are the letters, and
 *	which asks the access map (FEATURE(access_db), "Srv_Features:"
 *	entries).  sm_read() then reads the access map's text source (the
 *	Kaccess file without .db) with sm_parse_access(); origin names it
 *	in each entry.  Both take hostile text: a line too long or
 *	malformed is skipped and counted in sm->skipped.  sm_field() finds
 *	the value of KEY= in an "A=x, B=y" list as Sendmail does (first
 *	character of the key, case-sensitive): its start and length, or
 *	NULL.  sm_check() adds the findings of dotgate-doctor(8),
 *	"SENDMAIL CHECKS".
 * RETURN VALUES
 *	pf_read(), sm_read(): 0, or -1 with a message in err (the MTA's
 *	configuration could not be read: exit status 2).  pf_parse_*(),
 *	sm_parse(): the number of entries read.
 */
#ifndef DOTGATE_DOCTOR_H
#define DOTGATE_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "policy.h"

enum dr_level { DR_OK, DR_WARN, DR_RISK };

struct dr_finding {
	enum dr_level level;
	char *service;
	char *setting;
	char *value;
	char *meaning;
	char *fix;			/* "" when none */
};

struct dr_report {
	char *mta;			/* "postfix" or "sendmail" */
	char *mta_version;		/* as the MTA says it, or NULL */
	struct dr_finding *f;
	size_t n, cap;
};

void dr_add(struct dr_report *r, enum dr_level level, const char *service,
	    const char *setting, const char *value, const char *fix,
	    const char *meaning_fmt, ...)
	__attribute__((format(printf, 7, 8)));
void dr_print_text(FILE *fp, const struct dr_report *r);
void dr_print_json(FILE *fp, const struct dr_report *r);
int dr_exit_status(const struct dr_report *r);
void dr_report_free(struct dr_report *r);

#define PF_NAME_MAX 128
#define PF_VALUE_MAX 4096

struct pf_param {
	char *name;
	char *value;			/* $name references expanded */
	char *raw;			/* as postconf printed it */
};

struct pf_service {
	char *name;			/* "submission", "587", "127.0.0.1:2525" */
	char *type;			/* inet, unix, unix-dgram, fifo, pass */
	char private_, unpriv, chroot;	/* 'y', 'n' or '-' (the default) */
	char *command;			/* "smtpd", with its arguments */
	struct pf_param *opt;		/* -o overrides, in order */
	size_t nopt;
};

struct pf_conf {
	struct pf_param *param;		/* main.cf, defaults included */
	size_t nparam;
	struct pf_service *svc;
	size_t nsvc;
	size_t skipped;			/* lines not understood */
};

int pf_read(struct pf_conf *pf, const char *config_dir, char *err, size_t errlen);
int pf_parse_main(struct pf_conf *pf, const char *text, size_t len);
int pf_parse_master(struct pf_conf *pf, const char *text, size_t len);
int pf_parse_overrides(struct pf_conf *pf, const char *text, size_t len);
const char *pf_main(const struct pf_conf *pf, const char *name);
const char *pf_value(const struct pf_conf *pf, const struct pf_service *s,
		     const char *name);
bool pf_accepts_mail(const struct pf_service *s);
void pf_free(struct pf_conf *pf);
void pf_check(struct dr_report *r, const struct pf_conf *pf,
	      const struct dg_policy *p);

struct sm_milter {
	char *name;
	char *socket;			/* S= */
	char *flags;			/* F= */
	char *timeouts;			/* T= */
};

/* One srv_features answer: a $# rule of the srv_features or
 * Local_srv_features ruleset, or a Srv_Features: access map entry. */
struct sm_srvfeat {
	char *client;			/* "" for every client */
	char *letters;			/* as returned: "U", "u2 g2" */
	char *origin;			/* "FILE:LINE" */
};

#define SM_CF_MAX (4u << 20)		/* bytes of a .cf or access text read */
#define SM_LINE_MAX 8192		/* bytes of a (folded) line */

struct sm_conf {
	char *path;			/* the .cf read, NULL from sm_parse() */
	char *version;			/* DZ */
	char *input_filters;		/* O InputMailFilters= */
	struct sm_milter *milter;
	size_t nmilter;
	char **daemon_opts;		/* O DaemonPortOptions= lines */
	size_t ndaemon;
	struct sm_srvfeat *feat;	/* srv_features answers */
	size_t nfeat;
	bool srv_access;		/* srv_features asks the access map */
	char *access_map;		/* Kaccess's file, or NULL */
	char *access_text;		/* its text source as read, or NULL */
	size_t skipped;
};

int sm_read(struct sm_conf *sm, const char *cf_path, char *err, size_t errlen);
int sm_parse(struct sm_conf *sm, const char *text, size_t len);
int sm_parse_access(struct sm_conf *sm, const char *text, size_t len,
		    const char *origin);
const char *sm_field(const char *list, char key, size_t *len);
void sm_free(struct sm_conf *sm);
void sm_check(struct dr_report *r, const struct sm_conf *sm,
	      const struct dg_policy *p);

#endif
