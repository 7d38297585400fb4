/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_pipe.c: parse records on worker threads, sum them on one (see
 * report.h).  Decoding JSON is nearly all of dotgate-report's work, and
 * each line is independent, so batches of lines go to workers; the
 * summary stays single-threaded and takes the parsed batches in input
 * order, which keeps every count (and every tie broken by arrival in an
 * overflowing table) the same as a sequential run.
 *
 * A batch moves FREE -> (filled by the caller) FILLED -> PARSING (a
 * worker) -> PARSED -> (summed by the caller) FREE.  There are a fixed
 * number of batches: when all are in use the caller sums the oldest
 * before reading on, which bounds the memory in flight.  With no
 * workers the caller parses each line itself.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "report.h"
#include "util.h"

#define BATCH_BYTES (256 * 1024)	/* a batch is sent when this full */
#define BATCH_LINES 2048
#define OVERLONG ((size_t)-1)		/* line length of a skipped line */

enum bstate { B_FREE, B_FILLED, B_PARSING, B_PARSED };

struct pline {
	size_t off, len;
};

struct pout {
	enum rp_kind kind;
	struct report_rec rec;		/* strings point into arena */
};

struct batch {
	enum bstate state;
	uint64_t seq;
	struct buf text;		/* the lines, back to back */
	struct pline *lines;
	struct pout *out;
	size_t n;			/* lines (and outputs) */
	struct buf arena;
};

struct report_pipe {
	struct report_summary *s;
	struct report_window w;
	pthread_mutex_t lock;
	pthread_cond_t work;		/* a batch was filled, or stop */
	pthread_cond_t done;		/* a batch was parsed */
	struct batch *b;
	size_t nb;
	struct batch *cur;		/* being filled by the caller */
	uint64_t next_seq;		/* of the next batch filled */
	uint64_t next_sum;		/* of the next batch to sum */
	bool stop;
	pthread_t *tid;
	int nworkers;
	struct report_parser *rp;	/* the caller's, without workers */
};

/*
 * Locking a valid mutex cannot fail, nor can creating one or a condition
 * variable with default attributes (glibc): a failure means the pipe's
 * memory was overwritten, so it is a panic that says which call failed,
 * not an error to recover from.
 */
static void lock(struct report_pipe *p)
{
	int err = pthread_mutex_lock(&p->lock);

	if (err != 0)
		dg_panic("report pipe: cannot lock the mutex: %s",
			 strerror(err));
}

static void unlock(struct report_pipe *p)
{
	int err = pthread_mutex_unlock(&p->lock);

	if (err != 0)
		dg_panic("report pipe: cannot unlock the mutex: %s",
			 strerror(err));
}

static void sync_init(struct report_pipe *p)
{
	int err;

	if ((err = pthread_mutex_init(&p->lock, NULL)) != 0)
		dg_panic("report pipe: cannot create the mutex: %s",
			 strerror(err));
	if ((err = pthread_cond_init(&p->work, NULL)) != 0 ||
	    (err = pthread_cond_init(&p->done, NULL)) != 0)
		dg_panic("report pipe: cannot create a condition variable: %s",
			 strerror(err));
}

/* ---- one line ------------------------------------------------------- */

static bool in_window(const struct report_window *w, int64_t ts)
{
	return (!w->has_since || ts >= w->since) &&
	       (!w->has_until || ts < w->until);
}

static bool of_host(const struct report_window *w, const char *host)
{
	return w->host == NULL || strcmp(w->host, host ? host : "") == 0;
}

static void sum(struct report_pipe *p, enum rp_kind kind,
		const struct report_rec *r)
{
	if (kind != RP_RECORD)
		report_summary_note(p->s, kind);
	else if (in_window(&p->w, r->ts_ms) && of_host(&p->w, r->host))
		report_summary_add(p->s, r);
}

/* ---- workers -------------------------------------------------------- */

static const char *keep(char *arena, size_t *used, const char *s)
{
	size_t n;
	char *d;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	d = arena + *used;
	memcpy(d, s, n);
	*used += n;
	return d;
}

/* keep_list - n strings back to back, as report_rec.hfrom holds them. */
static const char *keep_list(char *arena, size_t *used, const char *s,
			     unsigned n)
{
	size_t len = 0;
	char *d;

	if (s == NULL)
		return NULL;
	for (unsigned i = 0; i < n; i++)
		len += strlen(s + len) + 1;
	d = arena + *used;
	memcpy(d, s, len);
	*used += len;
	return d;
}

/*
 * parse_batch - parse every line of b, copying the strings a record
 * points to into b's arena.  A decoded string is never longer than its
 * source text, and the strings kept come from distinct parts of the
 * line (the header From list, cut, with a separator or quote of its
 * own for each terminator), so the text plus four terminators per line
 * always fits.
 */
static void parse_batch(struct report_parser *rp, struct batch *b)
{
	size_t used = 0;

	b->arena.len = 0;
	buf_reserve(&b->arena, b->text.len + 4 * b->n);
	for (size_t i = 0; i < b->n; i++) {
		struct pout *o = &b->out[i];

		if (b->lines[i].len == OVERLONG) {
			o->kind = RP_MALFORMED;
			continue;
		}
		o->kind = report_parser_line(rp, b->text.p + b->lines[i].off,
					     b->lines[i].len, &o->rec);
		if (o->kind != RP_RECORD)
			continue;
		o->rec.addr = keep(b->arena.p, &used, o->rec.addr);
		o->rec.login = keep(b->arena.p, &used, o->rec.login);
		o->rec.from = keep(b->arena.p, &used, o->rec.from);
		o->rec.host = keep(b->arena.p, &used, o->rec.host);
		o->rec.hfrom = keep_list(b->arena.p, &used, o->rec.hfrom,
					 o->rec.hfrom_n);
	}
}

static struct batch *oldest_filled(struct report_pipe *p)
{
	struct batch *best = NULL;

	for (size_t i = 0; i < p->nb; i++)
		if (p->b[i].state == B_FILLED &&
		    (best == NULL || p->b[i].seq < best->seq))
			best = &p->b[i];
	return best;
}

static void *worker(void *arg)
{
	struct report_pipe *p = arg;
	struct report_parser *rp = report_parser_new();
	struct batch *b;

	lock(p);
	for (;;) {
		if ((b = oldest_filled(p)) == NULL) {
			if (p->stop)
				break;
			pthread_cond_wait(&p->work, &p->lock);
			continue;
		}
		b->state = B_PARSING;
		unlock(p);
		parse_batch(rp, b);
		lock(p);
		b->state = B_PARSED;
		pthread_cond_broadcast(&p->done);
	}
	unlock(p);
	report_parser_free(rp);
	return NULL;
}

/* ---- the caller's side ----------------------------------------------- */

static struct batch *by_seq(struct report_pipe *p, uint64_t seq)
{
	for (size_t i = 0; i < p->nb; i++)
		if (p->b[i].state != B_FREE && p->b[i].seq == seq)
			return &p->b[i];
	return NULL;
}

/* sum_oldest - wait for the oldest batch in flight, sum it, free it. */
static void sum_oldest(struct report_pipe *p)
{
	struct batch *b;

	lock(p);
	b = by_seq(p, p->next_sum);
	while (b->state != B_PARSED)
		pthread_cond_wait(&p->done, &p->lock);
	unlock(p);
	for (size_t i = 0; i < b->n; i++)
		sum(p, b->out[i].kind, &b->out[i].rec);
	lock(p);
	b->state = B_FREE;
	b->n = b->text.len = 0;
	p->next_sum++;
	unlock(p);
}

static struct batch *free_batch(struct report_pipe *p)
{
	for (;;) {
		lock(p);
		for (size_t i = 0; i < p->nb; i++)
			if (p->b[i].state == B_FREE) {
				unlock(p);
				return &p->b[i];
			}
		unlock(p);
		sum_oldest(p);
	}
}

static void submit(struct report_pipe *p)
{
	struct batch *b = p->cur;

	p->cur = NULL;
	lock(p);
	b->seq = p->next_seq++;
	b->state = B_FILLED;
	pthread_cond_signal(&p->work);
	unlock(p);
}

static void add(struct report_pipe *p, const char *line, size_t len)
{
	struct batch *b;
	size_t n = len == OVERLONG ? 0 : len;

	if (p->cur == NULL)
		p->cur = free_batch(p);
	b = p->cur;
	if (b->text.cap == 0)
		buf_reserve(&b->text, BATCH_BYTES);
	b->lines[b->n].off = b->text.len;
	b->lines[b->n].len = len;
	buf_add(&b->text, line, n);	/* an overlong line: n 0, line NULL */
	b->n++;
	if (b->text.len >= BATCH_BYTES || b->n == BATCH_LINES)
		submit(p);
}

void report_pipe_line(struct report_pipe *p, const char *line, size_t len)
{
	struct report_rec r;

	if (p->nworkers == 0) {
		sum(p, report_parser_line(p->rp, line, len, &r), &r);
		return;
	}
	add(p, line, len);
}

void report_pipe_overlong(struct report_pipe *p)
{
	if (p->nworkers == 0)
		report_summary_note(p->s, RP_MALFORMED);
	else
		add(p, NULL, OVERLONG);
}

struct report_pipe *report_pipe_new(struct report_summary *s,
				    const struct report_window *w,
				    int workers)
{
	struct report_pipe *p = xcalloc(1, sizeof(*p));

	p->s = s;
	p->w = *w;
	if (workers <= 0) {
		p->rp = report_parser_new();
		return p;
	}
	/* jansson's hash seed is set on first use; set it before threads. */
	json_object_seed(0);
	sync_init(p);
	p->nb = 2 * (size_t)workers + 2;
	p->b = xcalloc(p->nb, sizeof(*p->b));
	for (size_t i = 0; i < p->nb; i++) {
		p->b[i].lines = xcalloc(BATCH_LINES, sizeof(*p->b[i].lines));
		p->b[i].out = xcalloc(BATCH_LINES, sizeof(*p->b[i].out));
	}
	p->tid = xcalloc((size_t)workers, sizeof(*p->tid));
	/*
	 * A thread that cannot start (EAGAIN: a process or memory limit)
	 * is not a bug: the pipe runs with the workers it got, or none.
	 */
	for (int i = 0; i < workers; i++) {
		if (pthread_create(&p->tid[i], NULL, worker, p) != 0)
			break;
		p->nworkers++;
	}
	if (p->nworkers == 0)		/* no threads: parse here after all */
		p->rp = report_parser_new();
	return p;
}

void report_pipe_finish(struct report_pipe *p)
{
	if (p->nworkers > 0) {
		if (p->cur != NULL && p->cur->n > 0)
			submit(p);
		while (p->next_sum < p->next_seq)
			sum_oldest(p);
		lock(p);
		p->stop = true;
		pthread_cond_broadcast(&p->work);
		unlock(p);
		for (int i = 0; i < p->nworkers; i++)
			pthread_join(p->tid[i], NULL);
	}
	if (p->b != NULL) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->work);
		pthread_cond_destroy(&p->done);
	}
	for (size_t i = 0; i < p->nb; i++) {
		buf_free(&p->b[i].text);
		free(p->b[i].lines);
		free(p->b[i].out);
		buf_free(&p->b[i].arena);
	}
	free(p->b);
	free(p->tid);
	report_parser_free(p->rp);
	free(p);
}
