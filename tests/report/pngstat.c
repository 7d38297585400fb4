/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pngstat.c: what a screenshot shows, for the browser test of the HTML
 * report (tests/report/html_browser.sh): "width W height H colours C
 * nonwhite P" with P the non-white pixels per thousand, then for each
 * "#rrggbb" argument the line "#rrggbb N", its number of pixels.  A blank or
 * failed render is one colour and 0 non-white; the report has text,
 * bars in seven verdict colours and tables.  It reads the 8-bit RGB and
 * RGBA PNGs Chromium writes (zlib for the pixels; no image library).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define MAX_SIDE 20000
#define SET_BITS 20			/* distinct colours counted, at most */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int die(const char *what)
{
	fprintf(stderr, "pngstat: %s\n", what);
	return 2;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n;

	if (fp == NULL)
		return NULL;
	*len = 0;
	do {
		if (*len == cap && (buf = realloc(buf, cap = cap * 2 + 65536)) == NULL)
			break;
		n = fread(buf + *len, 1, cap - *len, fp);
		*len += n;
	} while (n > 0);
	fclose(fp);
	return buf;
}

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* unfilter - undo the per-row filters in place (PNG spec, section 9). */
static int unfilter(unsigned char *raw, uint32_t w, uint32_t h, int bpp)
{
	size_t stride = (size_t)w * bpp;

	for (uint32_t y = 0; y < h; y++) {
		unsigned char *row = raw + y * (stride + 1), *cur = row + 1;
		unsigned char *up = y ? row - stride : NULL;
		int f = row[0];

		for (size_t i = 0; i < stride; i++) {
			int a = i >= (size_t)bpp ? cur[i - bpp] : 0;
			int b = up ? up[i] : 0, c = up && i >= (size_t)bpp ? up[i - bpp] : 0;

			switch (f) {
			case 0: break;
			case 1: cur[i] += a; break;
			case 2: cur[i] += b; break;
			case 3: cur[i] += (a + b) / 2; break;
			case 4: cur[i] += paeth(a, b, c); break;
			default: return -1;
			}
		}
	}
	return 0;
}

static size_t exact(const unsigned char *raw, uint32_t w, uint32_t h, int bpp,
		    uint32_t want)
{
	size_t stride = (size_t)w * bpp, n = 0;

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			const unsigned char *p = raw + y * (stride + 1) + 1 +
						 (size_t)x * bpp;

			n += ((uint32_t)p[0] << 16 | p[1] << 8 | p[2]) == want;
		}
	return n;
}

static void stats(const unsigned char *raw, uint32_t w, uint32_t h, int bpp)
{
	uint32_t *set = calloc(1u << SET_BITS, sizeof(*set));
	size_t stride = (size_t)w * bpp, colours = 0, nonwhite = 0;

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			const unsigned char *p = raw + y * (stride + 1) + 1 +
						 (size_t)x * bpp;
			uint32_t rgb = (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
			uint32_t k = (rgb * 2654435761u) >> (32 - SET_BITS);

			nonwhite += rgb != 0xffffff;
			while (set && set[k] != 0 && set[k] != rgb + 1)
				k = (k + 1) & ((1u << SET_BITS) - 1);
			if (set && set[k] == 0 && colours < (1u << SET_BITS) / 2) {
				set[k] = rgb + 1;
				colours++;
			}
		}
	printf("width %u height %u colours %zu nonwhite %zu\n", w, h, colours,
	       (size_t)((double)nonwhite * 1000 / ((double)w * h)));
	free(set);
}

int main(int argc, char **argv)
{
	size_t len, zlen = 0, pos = 8, rawlen;
	unsigned char *png, *z = NULL, *raw;
	uint32_t w = 0, h = 0;
	int bpp = 0;
	uLongf out;

	if (argc < 2 || (png = slurp(argv[1], &len)) == NULL)
		return die("usage: pngstat FILE.png [#rrggbb...]");
	if (len < 8 || memcmp(png, "\x89PNG\r\n\x1a\n", 8) != 0)
		return die("not a PNG file");
	while (pos + 12 <= len) {
		uint32_t n = be32(png + pos);
		const unsigned char *type = png + pos + 4, *data = png + pos + 8;

		if (n > len - pos - 12)
			return die("a chunk runs past the end");
		if (memcmp(type, "IHDR", 4) == 0 && n >= 13) {
			w = be32(data);
			h = be32(data + 4);
			if (data[8] != 8 || (data[9] != 2 && data[9] != 6) || data[12])
				return die("not an 8-bit RGB/RGBA non-interlaced PNG");
			bpp = data[9] == 6 ? 4 : 3;
		} else if (memcmp(type, "IDAT", 4) == 0) {
			if ((z = realloc(z, zlen + n)) == NULL)
				return die("out of memory");
			memcpy(z + zlen, data, n);
			zlen += n;
		}
		pos += 12 + n;
	}
	if (bpp == 0 || w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE || !z)
		return die("no image header or no pixels");
	rawlen = ((size_t)w * bpp + 1) * h;
	out = rawlen;
	if ((raw = malloc(rawlen)) == NULL ||
	    uncompress(raw, &out, z, zlen) != Z_OK || out != rawlen)
		return die("the pixels do not decompress");
	if (unfilter(raw, w, h, bpp) != 0)
		return die("an unknown row filter");
	stats(raw, w, h, bpp);
	for (int i = 2; i < argc; i++)
		printf("%s %zu\n", argv[i], exact(raw, w, h, bpp, (uint32_t)
		       strtoul(argv[i][0] == '#' ? argv[i] + 1 : argv[i], NULL, 16)));
	free(raw);
	free(z);
	free(png);
	return 0;
}
