/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_time.c: dotgate-report's times (see report.h): a record's time
 * stamp and a --since/--until value read into milliseconds since the
 * epoch, and written back in the one form the JSON summary uses.  The
 * calendar is done by hand (no mktime(), no TZ) so that a report does
 * not depend on the zone of the machine that reads the logs.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* digits - read exactly n decimal digits at *p. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		unsigned char c = (unsigned char)(*p)[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

static unsigned month_days(int y, int m)
{
	static const unsigned char md[] = {31, 28, 31, 30, 31, 30, 31, 31,
					   30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : md[m - 1];
}

static int parse_date(const char **p, int64_t *days)
{
	int y, m, d;

	if (digits(p, 4, &y) || expect(p, '-') || digits(p, 2, &m) ||
	    expect(p, '-') || digits(p, 2, &d))
		return -1;
	if (m < 1 || m > 12 || d < 1 || (unsigned)d > month_days(y, m))
		return -1;
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

/*
 * parse_iso - "DATE" "T" "hh:mm[:ss[.frac]]" [zone] at s, whole string.
 * need_sec/need_zone make the seconds and the zone mandatory, as they
 * are in records.
 */
static int parse_iso(const char *s, bool need_sec, bool need_zone,
		     int64_t *ms)
{
	const char *p = s;
	int64_t days, frac = 0, off = 0;
	int hh, mm, ss = 0;

	if (parse_date(&p, &days) || expect(&p, 'T') || digits(&p, 2, &hh) ||
	    expect(&p, ':') || digits(&p, 2, &mm))
		return -1;
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &ss))
			return -1;
		if (*p == '.') {
			int scale = 100, n = 0;

			for (p++; *p >= '0' && *p <= '9'; p++, n++) {
				frac += (*p - '0') * scale;
				scale /= 10;
			}
			if (n == 0 || n > 9)
				return -1;
		}
	} else if (need_sec) {
		return -1;
	}
	if (hh > 23 || mm > 59 || ss > 60)
		return -1;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;

		if (digits(&p, 2, &oh))
			return -1;
		if (*p == ':')
			p++;
		if (digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	} else if (need_zone) {
		return -1;
	}
	if (*p != '\0')
		return -1;
	*ms = ((days * 86400 + hh * 3600 + mm * 60 + ss) - off) * 1000 + frac;
	return 0;
}

int report_ts_parse(const char *s, int64_t *ms)
{
	return parse_iso(s, true, true, ms);
}

int report_time_arg(const char *s, int64_t now_ms, int64_t *ms)
{
	const char *p = s;
	int64_t days;

	if (s[0] == '-') {
		char *end;
		long long n;
		int64_t unit;

		if (s[1] < '0' || s[1] > '9')
			return -1;
		n = strtoll(s + 1, &end, 10);
		switch (*end) {
		case 's': unit = 1000; break;
		case 'm': unit = 60 * 1000; break;
		case 'h': unit = 3600 * 1000; break;
		case 'd': unit = 86400 * 1000; break;
		case 'w': unit = 7 * 86400 * 1000LL; break;
		default: return -1;
		}
		if (end[1] != '\0' || n > INT64_MAX / unit / 2)
			return -1;
		*ms = now_ms - n * unit;
		return 0;
	}
	if (strlen(s) == 10) {
		if (parse_date(&p, &days) || *p != '\0')
			return -1;
		*ms = days * 86400 * 1000;
		return 0;
	}
	return parse_iso(s, false, false, ms);
}

void report_ts_format(int64_t ms, char out[REPORT_TS_LEN])
{
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rem = secs - days * 86400, y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(out, REPORT_TS_LEN, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ",
		 (long long)y % 10000, m % 100, d % 100,
		 (unsigned)(rem / 3600) % 100, (unsigned)(rem / 60 % 60) % 100,
		 (unsigned)(rem % 60) % 100, (unsigned)(ms - secs * 1000) % 1000);
}
