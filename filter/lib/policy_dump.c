/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_dump.c: "dotgate -d", the effective configuration (see
 * policy.h): every key of every section with its value, defaults
 * included, as postconf and rspamadm configdump show theirs.  It walks
 * the parsed libconfuse tree, in which every value is a struct cval
 * holding the text as written (a default as its built-in text), and
 * writes it back in the file's own syntax, so the dump is itself a
 * valid dotgate.conf that loads to the same policy.
 */
#include <stdio.h>

#include <confuse.h>

#include "policy.h"
#include "policy_load.h"

static void quoted(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void value(FILE *fp, cfg_opt_t *o, int depth)
{
	unsigned n = cfg_opt_size(o);

	fprintf(fp, "%*s%s = ", depth * 2, "", o->name);
	if (!(o->flags & CFGF_LIST)) {
		const struct cval *v = n ? cfg_opt_getnptr(o, 0) : NULL;

		quoted(fp, v ? v->s : "");
		fputc('\n', fp);
		return;
	}
	fputc('{', fp);
	for (unsigned i = 0; i < n; i++) {
		const struct cval *v = cfg_opt_getnptr(o, i);

		fputs(i ? ", " : "", fp);
		quoted(fp, v->s);
	}
	fputs("}\n", fp);
}

static void section(FILE *fp, cfg_t *cfg, int depth)
{
	for (cfg_opt_t *o = cfg->opts; o->type != CFGT_NONE; o++) {
		if (o->type != CFGT_SEC) {
			value(fp, o, depth);
			continue;
		}
		for (unsigned i = 0; i < cfg_opt_size(o); i++) {
			cfg_t *sec = cfg_opt_getnsec(o, i);

			fprintf(fp, "%*s%s ", depth * 2, "", o->name);
			if (o->flags & CFGF_TITLE) {
				quoted(fp, cfg_title(sec));
				fputc(' ', fp);
			}
			fputs("{\n", fp);
			section(fp, sec, depth + 1);
			fprintf(fp, "%*s}\n", depth * 2, "");
		}
	}
}

void policy_dump_cfg(cfg_t *cfg, FILE *fp)
{
	section(fp, cfg, 0);
}
