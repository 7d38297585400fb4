/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_checks_dg.c: dotgate.conf against Postfix (dotgate-doctor(8),
 * "POSTFIX CHECKS"): which networks skip the 530 gate and whether Postfix
 * trusts them, which of them still get the bare-newline split, whether
 * auth.daemons names the services dotgate is attached to, and monitor
 * mode left on (see pf_checks.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pf_checks.h"

#define NETS_MAX 1024

/*
 * A Postfix network list (mynetworks syntax) into l: a.b.c.d/n and
 * [x::y]/n; tables, files, names and negations are not compared and
 * are listed in skipped.  Returns the number of networks added.
 */
int pfc_net_list(const char *value, struct cidr_list *l, char *skipped,
		 size_t len)
{
	char tmp[PF_VALUE_MAX], *save;
	int added = 0;

	skipped[0] = '\0';
	snprintf(tmp, sizeof(tmp), "%s", value ? value : "");
	for (char *w = strtok_r(tmp, ", \t\r\n", &save); w;
	     w = strtok_r(NULL, ", \t\r\n", &save)) {
		char net[128];
		const char *close = strchr(w, ']');

		if (w[0] == '[' && close)
			snprintf(net, sizeof(net), "%.*s%s", (int)(close - w - 1), w + 1, close + 1);
		else
			snprintf(net, sizeof(net), "%s", w);
		if (cidr_list_add(l, net) == 0) {
			added++;
		} else if (strlen(skipped) + strlen(w) + 2 < len) {
			strcat(strcat(skipped, skipped[0] ? " " : ""), w);
		}
	}
	return added;
}

/* The networks of l (dotgate's) that other holds, or does not, as text. */
static size_t nets_where(const struct cidr_list *l, const struct cidr_list *other,
			 bool covered, char *buf, size_t len)
{
	size_t n = 0;
	char net[64];

	buf[0] = '\0';
	for (size_t i = 0; i < cidr_list_count(l); i++) {
		if (cidr_list_text(l, i, net, sizeof(net)) < 0
		    || cidr_list_covers(other, net) != covered)
			continue;
		if (strlen(buf) + strlen(net) + 2 < len)
			strcat(strcat(buf, buf[0] ? " " : ""), net);
		n++;
	}
	return n;
}

static void check_exempt(struct pfc *c)
{
	const struct cidr_list *ex = c->p->auth.exempt;
	struct cidr_list *mine = cidr_list_new(), *none = cidr_list_new();
	char all[NETS_MAX], out[NETS_MAX], skipped[NETS_MAX];

	pfc_net_list(pf_main(c->pf, "mynetworks"), mine, skipped, sizeof(skipped));
	nets_where(ex, none, false, all, sizeof(all));
	cidr_list_free(none);
	if (!c->p->auth.require)
		dr_add(c->r, DR_OK, "dotgate.conf", "auth.exempt_networks", all, "",
		       "auth.require is false: no client is refused for not logging in, exempt or not");
	else if (nets_where(ex, mine, false, out, sizeof(out)) > 0) {
		dr_add(c->r, DR_WARN, "dotgate.conf", "auth.exempt_networks", all, "",
		       "clients in %s skip dotgate's 530 gate and send in any name without logging in, though Postfix does not count them as its own (mynetworks = %s): remove them from auth.exempt_networks in %s unless they are yours",
		       out, pf_main(c->pf, "mynetworks") ? pf_main(c->pf, "mynetworks") : "", c->p->path);
	} else
		dr_add(c->r, DR_OK, "dotgate.conf", "auth.exempt_networks", all, "",
		       "the clients that skip dotgate's 530 gate (%s) are all inside mynetworks, Postfix's own clients",
		       all[0] ? all : "none");
	cidr_list_free(mine);
}

/*
 * The clients that get both: the LF split (bare newlines off, or in the
 * exclusions) on a service where dotgate's gate applies, and an exemption
 * from that gate: their hidden second transaction is delivered unchecked
 * in any name.
 */
static void check_exempt_split(struct pfc *c)
{
	char out[NETS_MAX], skipped[NETS_MAX], svc[PF_NAME_MAX * 2 + 2];
	char fix[PF_VALUE_MAX + 256];

	for (size_t i = 0; i < c->pf->nsvc && c->p->auth.require; i++) {
		const struct pf_service *s = &c->pf->svc[i];
		const char *bare = pf_value(c->pf, s, "smtpd_forbid_bare_newline");
		const char *excl = pf_value(c->pf, s, "smtpd_forbid_bare_newline_exclusions");
		struct cidr_list *split = cidr_list_new();
		bool all = bare == NULL || strcasecmp(bare, "no") == 0;

		if (!pfc_gated(c, s)) {
			cidr_list_free(split);
			continue;
		}
		if (all) {
			cidr_list_add(split, "0.0.0.0/0");
			cidr_list_add(split, "::/0");
		} else {
			pfc_net_list(excl, split, skipped, sizeof(skipped));
		}
		pfc_svc(s, svc, sizeof(svc));
		if (nets_where(c->p->auth.exempt, split, true, out, sizeof(out)) > 0) {
			fix[0] = '\0';
			if (!all)
				pfc_fix(c, s, "smtpd_forbid_bare_newline_exclusions", "", fix, sizeof(fix));
			else
				pfc_fix(c, s, "smtpd_forbid_bare_newline", "normalize", fix, sizeof(fix));
			dr_add(c->r, DR_WARN, svc, "auth.exempt_networks", out, fix,
			       "clients in %s skip dotgate's gate and still get the LF split here (%s): a transaction hidden after \\n.\\n is delivered in any name, unchecked",
			       out, all ? "smtpd_forbid_bare_newline = no" : "smtpd_forbid_bare_newline_exclusions");
		} else {
			dr_add(c->r, DR_OK, svc, "auth.exempt_networks", "", "",
			       "no client that skips dotgate's gate gets the LF split here: every hidden transaction meets the gate");
		}
		cidr_list_free(split);
	}
}

static void check_daemons(struct pfc *c)
{
	const struct dg_policy_auth *a = &c->p->auth;
	char names[PF_VALUE_MAX] = "", svc[PF_NAME_MAX * 2 + 2], fix[PF_VALUE_MAX];

	if (a->ndaemons == 0) {
		dr_add(c->r, DR_OK, "dotgate.conf", "auth.daemons", "", "",
		       "auth.daemons is empty: the gate applies on every service dotgate is attached to");
		return;
	}
	for (size_t i = 0; i < c->pf->nsvc; i++) {
		const struct pf_service *s = &c->pf->svc[i];
		const char *name = pf_value(c->pf, s, "milter_macro_daemon_name");
		struct pfc_milter m;

		if (!pfc_smtpd(s) || !pfc_find_dotgate(c, s, &m))
			continue;
		if (strlen(names) + strlen(name ? name : "") + PF_NAME_MAX < sizeof(names))
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s=%s",
				 names[0] ? ", " : "", pfc_svc(s, svc, sizeof(svc)), name ? name : "");
		if (pfc_gated(c, s) || !pfc_yes(pf_value(c->pf, s, "smtpd_sasl_auth_enable")))
			continue;
		pfc_fix(c, s, "milter_macro_daemon_name", a->daemons[0], fix, sizeof(fix));
		dr_add(c->r, DR_RISK, svc, "milter_macro_daemon_name", name ? name : "", fix,
		       "clients log in here, but %s is not in auth.daemons: dotgate exempts this service from its gate and they send in any name",
		       name ? name : "(none)");
	}
	for (size_t j = 0; j < a->ndaemons; j++) {
		bool found = false;

		for (size_t i = 0; i < c->pf->nsvc && !found; i++) {
			const char *name = pf_value(c->pf, &c->pf->svc[i], "milter_macro_daemon_name");

			found = pfc_gated(c, &c->pf->svc[i]) && name
				&& strcasecmp(name, a->daemons[j]) == 0;
		}
		dr_add(c->r, found ? DR_OK : DR_WARN, "dotgate.conf", "auth.daemons", a->daemons[j], "",
		       found ? "a service dotgate is attached to has this milter_macro_daemon_name, and the gate applies there (%s)"
		       : "no service dotgate is attached to has this milter_macro_daemon_name (%s): under this name the gate never applies",
		       names[0] ? names : "dotgate is attached nowhere");
	}
}

static void check_mode(struct pfc *c)
{
	if (c->p->mode == DG_MODE_MONITOR)
		dr_add(c->r, DR_WARN, "dotgate.conf", "mode", "monitor", "",
		       "monitor mode: dotgate records what it would refuse and refuses nothing; set mode = enforce in %s and reload dotgate when the records look right",
		       c->p->path);
	else
		dr_add(c->r, DR_OK, "dotgate.conf", "mode", "enforce", "",
		       "dotgate refuses what its policy refuses");
}

void pfc_check_dotgate_conf(struct pfc *c)
{
	check_exempt(c);
	check_exempt_split(c);
	check_daemons(c);
	check_mode(c);
}
