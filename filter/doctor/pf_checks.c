/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_checks.c: the Postfix checks of dotgate-doctor(8), "POSTFIX CHECKS"
 * (see doctor.h): the version, and the main.cf and master.cf settings
 * that decide what reaches dotgate (bare newlines, pipelining, stray
 * CR/LF, milter_default_action, the milter protocol and macros, proxy
 * filters, SASL).  Where dotgate is attached and whether Postfix reaches
 * its socket is pf_attach.c; dotgate.conf against Postfix pf_checks_dg.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pf_checks.h"

/* A setting's verdict for the services that share one value. */
struct verdict {
	enum dr_level level;
	char meaning[1024];
	const char *fixval;		/* NULL: no postconf command fixes it */
	char buf[PF_VALUE_MAX];		/* a fixval built here */
};

typedef void eval_fn(const struct pfc *c, const struct pf_service *s,
		     const char *value, struct verdict *v);
typedef bool want_fn(const struct pfc *c, const struct pf_service *s);

static void say(struct verdict *v, enum dr_level level, const char *fixval,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void say(struct verdict *v, enum dr_level level, const char *fixval,
		const char *fmt, ...)
{
	va_list ap;

	v->level = level;
	v->fixval = fixval;
	va_start(ap, fmt);
	vsnprintf(v->meaning, sizeof(v->meaning), fmt, ap);
	va_end(ap);
}

static void add(const struct pfc *c, const struct pf_service *s,
		const char *setting, const char *value, const struct verdict *v,
		const char *users)
{
	char svc[PF_NAME_MAX * 2 + 2], fix[PF_VALUE_MAX + 512];

	fix[0] = '\0';
	if (v->level != DR_OK && v->fixval)
		pfc_fix(c, s, setting, v->fixval, fix, sizeof(fix));
	dr_add(c->r, v->level, s ? pfc_svc(s, svc, sizeof(svc)) : "main.cf",
	       setting, value ? value : "(not in this Postfix)", fix,
	       "%s%s%s%s", v->meaning, users[0] ? " (" : "", users,
	       users[0] ? ")" : "");
}

/* Is s one of the services per_service() looks at for name? */
static bool uses(const struct pfc *c, const struct pf_service *s, want_fn *want)
{
	return pfc_smtpd(s) && (want == NULL || want(c, s));
}

/*
 * One setting over the smtpd services that want it: a finding per
 * service that sets it with -o, one "main.cf" finding for the others
 * (naming them, with the worst of their verdicts), none when no service
 * uses main.cf's value.
 */
static void per_service(const struct pfc *c, const char *name, want_fn *want,
			eval_fn *eval)
{
	char users[1024] = "used by ", svc[PF_NAME_MAX * 2 + 2];
	const char *mainval = pf_main(c->pf, name);
	struct verdict v, worst;
	bool any = false;

	for (size_t i = 0; i < c->pf->nsvc; i++) {
		const struct pf_service *s = &c->pf->svc[i];

		if (!uses(c, s, want))
			continue;
		if (pfc_overrides(s, name)) {
			const char *val = pf_value(c->pf, s, name);

			eval(c, s, val, &v);
			add(c, s, name, val, &v, "");
			continue;
		}
		eval(c, s, mainval, &v);
		if (!any || v.level > worst.level) {
			worst = v;
			if (v.fixval == v.buf)
				worst.fixval = worst.buf;
		}
		if (any)
			strncat(users, ", ", sizeof(users) - strlen(users) - 1);
		strncat(users, pfc_svc(s, svc, sizeof(svc)),
			sizeof(users) - strlen(users) - 1);
		any = true;
	}
	if (any)
		add(c, NULL, name, mainval, &worst, users);
}

static bool want_dotgate(const struct pfc *c, const struct pf_service *s)
{
	struct pfc_milter m;

	return pfc_find_dotgate(c, s, &m) && m.defact[0] == '\0';
}

static bool want_proto(const struct pfc *c, const struct pf_service *s)
{
	struct pfc_milter m;

	return pfc_find_dotgate(c, s, &m) && m.proto[0] == '\0';
}

static bool want_dotgate_any(const struct pfc *c, const struct pf_service *s)
{
	struct pfc_milter m;

	return pfc_find_dotgate(c, s, &m);
}

static bool want_gated(const struct pfc *c, const struct pf_service *s)
{
	return pfc_gated(c, s);
}

static void check_version(struct pfc *c)
{
	const char *v = pf_main(c->pf, "mail_version");
	char fix[] = "apt-get install --only-upgrade postfix";

	if (c->ver[0] < 0) {
		dr_add(c->r, DR_WARN, "main.cf", "mail_version", v ? v : "", "",
		       "Postfix did not say which release it is, so whether it has the SMTP smuggling fixes (3.5.23, 3.6.13, 3.7.9, 3.8.4, 3.9 and later) is unknown");
		return;
	}
	static const int fixed[][3] = {
		{ 3, 5, 23 }, { 3, 6, 13 }, { 3, 7, 9 }, { 3, 8, 4 },
	};
	bool ok = pfc_version(c, 3, 9, 0) >= 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (c->ver[0] == fixed[i][0] && c->ver[1] == fixed[i][1])
			ok = pfc_version(c, fixed[i][0], fixed[i][1], fixed[i][2]) >= 0;
	if (!ok)
		dr_add(c->r, DR_RISK, "main.cf", "mail_version", v, fix,
		       "Postfix %s predates the SMTP smuggling fixes (3.5.23, 3.6.13, 3.7.9, 3.8.4, 3.9): it ends DATA at a bare <LF>.<LF> and has no smtpd_forbid_bare_newline to stop it, so a hidden transaction reaches dotgate as a second, clean message", v);
	else
		dr_add(c->r, DR_OK, "main.cf", "mail_version", v, "",
		       "Postfix %s has the SMTP smuggling fixes%s", v,
		       pfc_version(c, 3, 9, 0) < 0
		       ? " (before 3.9 they are off until smtpd_forbid_bare_newline is set)" : "");
}

/* The end-of-data forms a bare-newline Postfix splits DATA at. */
#define LF_FORMS "(\\n.\\n, \\n.\\r\\n, \\r\\n.\\n, \\n.\\r\\r\\n, \\r\\n.\\r\\r\\n, \\n\\n.\\r\\n)"

static void eval_bare(const struct pfc *c, const struct pf_service *s,
		      const char *v, struct verdict *out)
{
	(void)c;
	(void)s;
	if (v == NULL)
		say(out, DR_RISK, NULL, "this Postfix has no smtpd_forbid_bare_newline: the LF forms " LF_FORMS " end DATA inside Postfix and dotgate sees two clean transactions; upgrade Postfix (see mail_version)");
	else if (strcasecmp(v, "no") == 0)
		say(out, DR_RISK, "normalize", "the LF forms " LF_FORMS " end DATA inside Postfix: dotgate sees two clean transactions, and the hidden one is delivered whenever its sender passes the gate or the client is exempt from it");
	else if (strcasecmp(v, "normalize") == 0 || strcasecmp(v, "yes") == 0
		 || strcasecmp(v, "reject") == 0)
		say(out, DR_OK, NULL, "only <CR><LF>.<CR><LF> ends DATA (%s), except for smtpd_forbid_bare_newline_exclusions",
		    strcasecmp(v, "reject") == 0 ? "a bare <LF> is refused" : "a bare <LF> counts as <CR><LF>");
	else
		say(out, DR_WARN, "normalize", "\"%s\" is not a value Postfix documents (normalize, reject, no): what ends DATA is unknown", v);
}

static void eval_exclusions(const struct pfc *c, const struct pf_service *s,
			    const char *v, struct verdict *out)
{
	const char *bare = pf_value(c->pf, s, "smtpd_forbid_bare_newline");
	const char *mynet = pf_main(c->pf, "mynetworks");

	if (bare == NULL || strcasecmp(bare, "no") == 0)
		say(out, DR_OK, NULL, "smtpd_forbid_bare_newline is off for every client here, so the exclusions change nothing");
	else if (v == NULL || v[0] == '\0')
		say(out, DR_OK, NULL, "no client is excluded: only <CR><LF>.<CR><LF> ends DATA for everyone");
	else
		say(out, DR_WARN, "", "clients in %s%s still get the LF split: \\n.\\n and the other LF forms end DATA for them, and what follows runs as a second transaction%s",
		    v, mynet && strcmp(v, mynet) == 0 ? " ($mynetworks)" : "",
		    pfc_yes(pf_value(c->pf, s, "smtpd_forbid_unauth_pipelining"))
		    ? " (smtpd_forbid_unauth_pipelining then hangs up on a pipelined hidden DATA)" : "");
}

static void eval_pipelining(const struct pfc *c, const struct pf_service *s,
			    const char *v, struct verdict *out)
{
	(void)c;
	(void)s;
	if (v == NULL)
		say(out, DR_WARN, NULL, "this Postfix has no smtpd_forbid_unauth_pipelining: a client may send commands ahead without PIPELINING, as smuggling tools send the hidden transaction; upgrade Postfix");
	else if (pfc_yes(v))
		say(out, DR_OK, NULL, "Postfix hangs up on a client that sends commands ahead without PIPELINING, as smuggling tools send a hidden transaction");
	else
		say(out, DR_WARN, "yes", "a client may send commands ahead of Postfix's replies without PIPELINING, as smuggling tools send the hidden transaction after DATA");
}

static void eval_proxy(const struct pfc *c, const struct pf_service *s,
		       const char *v, struct verdict *out)
{
	(void)c;
	(void)s;
	if (v == NULL || v[0] == '\0')
		say(out, DR_OK, NULL, "no before-queue proxy filter reads the client's bytes before Postfix's own DATA handling");
	else
		say(out, DR_WARN, NULL, "a before-queue proxy filter (%s) receives the message from smtpd: proxy setups have known smuggling bypasses even with smtpd_forbid_bare_newline = normalize, so test this path with dotgate-probe(1)", v);
}

/* value without one of its words (commas or blanks between words). */
static const char *drop_word(const char *value, const char *word, char *buf,
			     size_t len)
{
	char tmp[PF_VALUE_MAX];
	size_t n = 0;

	snprintf(tmp, sizeof(tmp), "%s", value);
	buf[0] = '\0';
	for (char *save, *w = strtok_r(tmp, ", \t", &save); w;
	     w = strtok_r(NULL, ", \t", &save)) {
		if (strcmp(w, word) == 0)
			continue;
		if (n >= len)
			break;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
				      n ? ", " : "", w);
	}
	return buf;
}

static void eval_override(const struct pfc *c, const struct pf_service *s,
			  const char *v, struct verdict *out)
{
	struct pfc_milter m;

	if (v && strstr(v, "no_milters") && pfc_find_dotgate(c, s, &m))
		say(out, DR_RISK, drop_word(v, "no_milters", out->buf, sizeof(out->buf)),
		    "no_milters switches every milter off: dotgate, although in %s, never sees this mail", m.list);
	else if (v && strstr(v, "no_milters"))
		say(out, DR_OK, NULL, "no_milters: no milter runs here, and dotgate is not attached here either");
	else
		say(out, DR_OK, NULL, "nothing in it changes what dotgate is given");
}

static void eval_defact(const struct pfc *c, const struct pf_service *s,
			const char *v, struct verdict *out)
{
	(void)s;
	if (v == NULL)
		v = "tempfail";
	if (strcasecmp(v, "accept") == 0)
		say(out, DR_RISK, "tempfail", "while dotgate is down, restarting or too slow, Postfix accepts the mail as if dotgate were not there: unchecked");
	else if (strcasecmp(v, "tempfail") == 0)
		say(out, DR_OK, NULL, "while dotgate is down or too slow, Postfix defers the mail (451 4.7.1) and the sender retries");
	else if (strcasecmp(v, "shutdown") == 0 && pfc_version(c, 3, 10, 0) >= 0)
		say(out, DR_OK, NULL, "while dotgate is down or too slow, Postfix ends the session (421) and the sender retries");
	else if (strcasecmp(v, "shutdown") == 0)
		say(out, DR_WARN, "tempfail", "this Postfix has no shutdown action (it came with 3.10): while dotgate is down it logs \"unrecognized default action\" and defers the mail (451 4.3.5)");
	else if (strcasecmp(v, "quarantine") == 0)
		say(out, DR_WARN, "tempfail", "while dotgate is down, Postfix accepts the mail unchecked into the hold queue, where it waits for a person");
	else if (strcasecmp(v, "reject") == 0)
		say(out, DR_WARN, "tempfail", "while dotgate is down or restarting, Postfix refuses the mail permanently (550 5.5.0) and legitimate senders get bounces");
	else
		say(out, DR_WARN, "tempfail", "\"%s\" is not an action Postfix knows: while dotgate is down it logs \"unrecognized default action\" and defers the mail (451 4.3.5)", v);
}

/* The protocol dotgate is spoken to on s: its {...} protocol, else the setting. */
static int proto_of(const struct pfc *c, const struct pf_service *s,
		    const char *v)
{
	struct pfc_milter m;

	if (pfc_find_dotgate(c, s, &m) && m.proto[0])
		v = m.proto;
	return v ? atoi(v) : 6;
}

static void eval_proto(const struct pfc *c, const struct pf_service *s,
		       const char *v, struct verdict *out)
{
	(void)s;
	if (v == NULL || atoi(v) >= 6)
		say(out, DR_OK, NULL, "protocol 6 lets dotgate ask for the macros it reads (smfi_setsymlist), whatever the milter_*_macros lists say");
	else
		say(out, DR_WARN, "6", "below protocol 6 dotgate cannot ask for its macros (smfi_setsymlist) and gets only what the milter_*_macros lists hold (see the milter_mail_macros finding)%s",
		    c->p && c->p->auth.ndaemons ? "; without {daemon_name} the gate exempts every client" : "");
}

static bool listed(const struct pfc *c, const struct pf_service *s,
		   const char *const lists[], const char *macro)
{
	for (size_t i = 0; lists[i]; i++) {
		const char *v = pf_value(c->pf, s, lists[i]);
		const char *at = v ? strstr(v, macro) : NULL;
		size_t n = strlen(macro);

		for (; at; at = strstr(at + 1, macro))
			if ((at == v || strchr(" ,\t", at[-1]))
			    && (at[n] == '\0' || strchr(" ,\t", at[n])))
				return true;
	}
	return false;
}

/*
 * What dotgate reads and where Postfix must send it when it cannot ask
 * (dotgate(8), "Macros"): at MAIL FROM the login, mechanism, TLS and
 * service, at the end of the message the queue id.
 */
static void eval_macros(const struct pfc *c, const struct pf_service *s,
			const char *v, struct verdict *out)
{
	static const char *const at_mail[] = { "milter_connect_macros",
		"milter_helo_macros", "milter_mail_macros", NULL };
	static const char *const at_eom[] = { "milter_end_of_data_macros", NULL };
	static const char *const need[] = { "{auth_authen}", "{auth_type}",
		"{tls_version}", "{daemon_name}" };
	char missing[256] = "";
	bool gate_off = false;
	size_t n;

	if (proto_of(c, s, pf_value(c->pf, s, "milter_protocol")) >= 6) {
		say(out, DR_OK, NULL, "dotgate asks for {auth_authen}, {auth_type}, {tls_version}, {daemon_name} and i itself (protocol 6): these lists do not matter to it");
		return;
	}
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!listed(c, s, at_mail, need[i])) {
			strncat(missing, " ", sizeof(missing) - strlen(missing) - 1);
			strncat(missing, need[i], sizeof(missing) - strlen(missing) - 1);
			gate_off |= i == 3 && c->p && c->p->auth.ndaemons;
		}
	n = (size_t)snprintf(out->buf, sizeof(out->buf), "%s%s", v ? v : "", missing);
	if (missing[0] == '\0') {
		say(out, DR_WARN, NULL, "below protocol 6 dotgate depends on these lists; they hold what it reads at MAIL FROM%s",
		    listed(c, s, at_eom, "i") ? "" : ", but milter_end_of_data_macros lacks i: records without queue id");
		return;
	}
	say(out, gate_off ? DR_RISK : DR_WARN, n < sizeof(out->buf) ? out->buf : NULL,
	    "below protocol 6 dotgate gets no%s at MAIL FROM: %s", missing,
	    gate_off ? "without {daemon_name} auth.daemons exempts every client, so the gate is off"
	    : "clients who authenticated are refused as if they had not, or their TLS is not seen");
}

static void eval_sasl(const struct pfc *c, const struct pf_service *s,
		      const char *v, struct verdict *out)
{
	(void)s;
	if (c->p && !c->p->auth.require)
		say(out, DR_OK, NULL, "auth.require is false: dotgate does not refuse clients that did not authenticate");
	else if (pfc_yes(v))
		say(out, DR_OK, NULL, "clients authenticate here, and dotgate checks the sender each login may use");
	else
		say(out, DR_WARN, "yes", "dotgate's gate applies here but the service offers no AUTH: every client is refused with 530");
}

static void check_cleanup(struct pfc *c)
{
	const struct pf_service *cl = NULL;
	const char *name = "cleanup_replace_stray_cr_lf", *v;
	struct verdict out;

	for (size_t i = 0; i < c->pf->nsvc; i++)
		if (strcmp(c->pf->svc[i].name, "cleanup") == 0
		    && pfc_overrides(&c->pf->svc[i], name))
			cl = &c->pf->svc[i];
	v = pf_value(c->pf, cl, name);
	if (v == NULL)
		say(&out, DR_WARN, NULL, "this Postfix (before 3.5.24, 3.6.14, 3.7.10, 3.8.5) keeps a stray CR or LF inside a line: dotgate sees it (bare_cr, bare_lf) and its body actions decide alone; upgrade Postfix");
	else if (pfc_yes(v))
		say(&out, DR_OK, NULL, "Postfix turns a stray CR or LF inside a line into a space before dotgate sees the body: what is left of a CR form is the residue smuggled_transaction looks for");
	else
		say(&out, DR_WARN, "yes", "a stray CR or LF inside a line is stored and passed on as it came: dotgate sees it (bare_cr, bare_lf) and its body actions alone decide whether such mail leaves");
	add(c, cl, name, v, &out, "");
}

/* A finding about a {...} attribute of dotgate's entry in a milter list. */
static void check_braces(struct pfc *c)
{
	struct pfc_milter m;
	struct verdict out;
	char val[PF_VALUE_MAX + 160];

	for (size_t i = 0; i < c->pf->nsvc; i++) {
		const struct pf_service *s = &c->pf->svc[i];

		if (!pfc_find_dotgate(c, s, &m) || m.defact[0] == '\0')
			continue;
		eval_defact(c, s, m.defact, &out);
		snprintf(val, sizeof(val), "%s (in %s: { %s, default_action = %s })",
			 m.defact, m.list, m.entry, m.defact);
		if (out.level != DR_OK)
			out.fixval = NULL;
		add(c, s, "milter_default_action", val, &out, "");
	}
}

static void parse_version(struct pfc *c)
{
	const char *v = pf_main(c->pf, "mail_version");
	char *end;

	c->ver[0] = c->ver[1] = c->ver[2] = -1;
	if (v == NULL || *v < '0' || *v > '9')
		return;
	c->ver[0] = (int)strtol(v, &end, 10);
	c->ver[1] = *end == '.' ? (int)strtol(end + 1, &end, 10) : 0;
	c->ver[2] = *end == '.' ? (int)strtol(end + 1, &end, 10) : 0;
}

void pf_check(struct dr_report *r, const struct pf_conf *pf,
	      const struct dg_policy *p)
{
	struct pfc c = { .r = r, .pf = pf, .p = p };
	const char *dir = pf_main(pf, "config_directory");

	if (dir && strcmp(dir, "/etc/postfix") != 0)
		snprintf(c.postconf, sizeof(c.postconf), "postconf -c %s", dir);
	else
		snprintf(c.postconf, sizeof(c.postconf), "postconf");
	parse_version(&c);
	check_version(&c);
	pfc_check_attach(&c);
	per_service(&c, "smtpd_forbid_bare_newline", NULL, eval_bare);
	per_service(&c, "smtpd_forbid_bare_newline_exclusions", NULL, eval_exclusions);
	per_service(&c, "smtpd_forbid_unauth_pipelining", NULL, eval_pipelining);
	check_cleanup(&c);
	per_service(&c, "receive_override_options", NULL, eval_override);
	per_service(&c, "milter_default_action", want_dotgate, eval_defact);
	check_braces(&c);
	per_service(&c, "milter_protocol", want_proto, eval_proto);
	per_service(&c, "milter_mail_macros", want_dotgate_any, eval_macros);
	per_service(&c, "smtpd_proxy_filter", NULL, eval_proxy);
	per_service(&c, "smtpd_sasl_auth_enable", want_gated, eval_sasl);
	if (p)
		pfc_check_dotgate_conf(&c);
}

/* ---- what the three files share (pf_checks.h) ------------------------ */

bool pfc_smtpd(const struct pf_service *s)
{
	size_t n, i;

	if (!pf_accepts_mail(s))
		return false;
	/* A command may be a path below daemon_directory: its base name. */
	n = strcspn(s->command, " \t");
	for (i = n; i > 0 && s->command[i - 1] != '/'; i--)
		;
	return n - i == 5 && strncmp(s->command + i, "smtpd", 5) == 0;
}

bool pfc_overrides(const struct pf_service *s, const char *name)
{
	for (size_t i = 0; s && i < s->nopt; i++)
		if (strcmp(s->opt[i].name, name) == 0)
			return true;
	return false;
}

const char *pfc_svc(const struct pf_service *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", s->name, s->type);
	return buf;
}

bool pfc_yes(const char *v)
{
	return v && (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0);
}

int pfc_version(const struct pfc *c, int maj, int min, int patch)
{
	const int want[3] = { maj, min, patch };

	for (int i = 0; i < 3; i++)
		if (c->ver[i] != want[i])
			return c->ver[i] < want[i] ? -1 : 1;
	return 0;
}

/* value in single quotes for sh: ' becomes '\'' */
static void quote(const char *v, char *buf, size_t len)
{
	size_t n = 0;

	for (; *v && n + 5 < len; v++) {
		if (*v == '\'') {
			memcpy(buf + n, "'\\''", 4);
			n += 4;
		} else {
			buf[n++] = *v;
		}
	}
	buf[n] = '\0';
}

void pfc_fix(const struct pfc *c, const struct pf_service *s,
	     const char *name, const char *value, char *buf, size_t len)
{
	char q[PF_VALUE_MAX];

	quote(value, q, sizeof(q));
	if (s)
		snprintf(buf, len, "%s -P '%s/%s/%s=%s'", c->postconf, s->name,
			 s->type, name, q);
	else
		snprintf(buf, len, "%s -e '%s=%s'", c->postconf, name, q);
}
