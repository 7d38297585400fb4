/*
 * milter.h: the libmilter glue of dotgate (milter.c).
 *
 *	struct smfiDesc *milter_desc(void);
 *	int  milter_audit_open(const char *path);   0, or -1 (errno set)
 *	void milter_audit_reopen(const char *path);
 *	void milter_audit_close(void);
 *
 * milter_desc() is the filter description to hand to smfi_register().
 * The audit file is process-wide; milter_audit_reopen() is called by
 * the reload thread on SIGUSR1 (logrotate), opening a new path if the
 * configuration changed it.
 */
#ifndef DG_MILTER_H
#define DG_MILTER_H

#include <libmilter/mfapi.h>

struct smfiDesc *milter_desc(void);
int milter_audit_open(const char *path);
void milter_audit_reopen(const char *path);
void milter_audit_close(void);

#endif
