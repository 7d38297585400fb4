/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_http.h: the metrics endpoint of the dotgate daemon
 * (metrics_http.c), started only when metrics.listen is set.
 *
 *	int  metrics_http_start(const char *listen);	0, or a sysexits code
 *	void metrics_http_ready(bool on);	the milter socket listens
 *	void metrics_http_stop(void);
 *
 * metrics_http_start() binds listen (listen.h forms), starts the HTTP
 * thread and turns on callback timing (metrics_enable()); an address in
 * use or refused is logged and returned as EX_UNAVAILABLE.  /healthz
 * answers 200 "ok" only after metrics_http_ready(true) and while a
 * policy is loaded, 503 otherwise.  metrics_http_stop() stops the thread
 * and removes a unix socket it made.
 */
#ifndef DG_METRICS_HTTP_H
#define DG_METRICS_HTTP_H

#include <stdbool.h>

int metrics_http_start(const char *listen);
void metrics_http_ready(bool on);
void metrics_http_stop(void);

#endif
