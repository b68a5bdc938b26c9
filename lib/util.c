/* util.c: see util.h. Nothing here knows about models, GPUs or scheduling. */
#define _POSIX_C_SOURCE 200809L
#include "lib/util.h"
#include "lib/assets.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>

static _Thread_local char errbuf[1024];

int err_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return -1;
}

int err_prefix(const char *fmt, ...)
{
	char pre[512], old[sizeof(errbuf)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	size_t lp = strlen(pre);
	memcpy(old, errbuf, sizeof(old));
	if (lp >= sizeof(errbuf))
		lp = sizeof(errbuf) - 1;
	memcpy(errbuf, pre, lp); /* NOLINT(bugprone-not-null-terminated-result): terminated by strlcpy0 below */
	strlcpy0(errbuf + lp, old, sizeof(errbuf) - lp);
	return -1;
}

const char *err_msg(void) { return errbuf; }

/* "ttsim: " PREFIX and the message, one line on stderr, after what stdout holds (git's
 * vreportf): the words of die() and bug(). */
static void __attribute__((format(printf, 2, 0))) report(const char *prefix, const char *fmt,
							  va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "ttsim: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("", fmt, ap);
	va_end(ap);
	exit(EXIT_BAD_INPUT);
}

int err_key_at(const char *s, char *key, size_t n)
{
	const char *q;
	if (strncmp(s, "key '", 5) || !(q = strchr(s + 5, '\'')) || (size_t)(q - s - 5) >= n)
		return -1;
	memcpy(key, s + 5, (size_t)(q - s - 5));
	key[q - s - 5] = 0;
	return 0;
}

void die_code(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("", fmt, ap);
	va_end(ap);
	exit(code);
}

void die_err(void) { die("%s", errbuf[0] ? errbuf : "unknown error"); }

void bug(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("BUG: ", fmt, ap);
	va_end(ap);
	abort();
}

static void oom(size_t n)
{
	fprintf(stderr, "ttsim: out of memory allocating %zu bytes\n", n);
	exit(EXIT_CHECK_FAILED);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

void xgrow(void **p, size_t *cap, size_t need, size_t sz)
{
	size_t c = *cap;
	if (need <= c)
		return;
	c = c ? c : 16;
	while (c < need)
		c += c / 2 + 1;
	*p = xrealloc(*p, c * sz);
	*cap = c;
}

int strlcpy0(char *dst, const char *src, size_t n)
{
	size_t l = strlen(src);
	if (n == 0)
		return -1;
	if (l >= n) {
		memcpy(dst, src, n - 1);
		dst[n - 1] = 0;
		return -1;
	}
	memcpy(dst, src, l + 1);
	return 0;
}

char *file_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb = {0};
	char tmp[65536];
	size_t n;

	struct stat st;

	if (!f) {
		err_set("%s: cannot open: %s (expected a readable file)", path, strerror(errno));
		return NULL;
	}
	/* Refuse absurd inputs up front (regular files), and stop reading pipes and devices
	 * at the same limit, so that no input can exhaust memory. */
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > FILE_READ_MAX) {
		fclose(f);
		err_set("%s: file too large: %lld bytes (expected at most %llu)", path,
			(long long)st.st_size, (unsigned long long)FILE_READ_MAX);
		return NULL;
	}
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		if (sb.len + n > FILE_READ_MAX) {
			fclose(f);
			sbuf_release(&sb);
			err_set("%s: file too large (expected at most %llu bytes)", path,
				(unsigned long long)FILE_READ_MAX);
			return NULL;
		}
		sbuf_add(&sb, tmp, n);
	}
	if (ferror(f)) {
		fclose(f);
		sbuf_release(&sb);
		err_set("%s: read error (expected a readable file)", path);
		return NULL;
	}
	fclose(f);
	if (!sb.buf)
		sbuf_add(&sb, "", 0);
	if (len)
		*len = sb.len;
	return sb.buf;
}

int file_write_atomic(const char *path, const char *data, size_t len)
{
	size_t n = strlen(path) + 32;
	char *tmp = xmalloc(n);
	int fd;

	snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		err_set("%s: cannot create: %s (expected a writable directory)", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			err_set("%s: write error: %s (expected room to write)", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			free(tmp);
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		err_set("%s: cannot write: %s (expected a writable directory)", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int mkdir_p(const char *path)
{
	char *p = xstrdup(path), *s;
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			goto fail;
		*s = '/';
	}
	if (mkdir(p, 0755) != 0 && errno != EEXIST)
		goto fail;
	free(p);
	return 0;
fail:
	err_set("%s: cannot create directory: %s (expected a writable path)", path, strerror(errno));
	free(p);
	return -1;
}

void sbuf_add(struct sbuf *sb, const char *s, size_t n)
{
	xgrow((void **)&sb->buf, &sb->cap, sb->len + n + 1, 1);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = 0;
}

void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		bug("vsnprintf failed");
	xgrow((void **)&sb->buf, &sb->cap, sb->len + (size_t)n + 1, 1);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void sbuf_release(struct sbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

gsl_rng *rng_stream(uint64_t seed, const char *purpose)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a of the purpose name */
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r)
		oom(sizeof(void *));
	for (const char *p = purpose; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	/* mt19937 takes an unsigned long seed; 0 means "default" to GSL, so avoid it. */
	gsl_rng_set(r, (unsigned long)(mix64(seed ^ mix64(h)) | 1));
	return r;
}

int parse_long(const char *s, long *out)
{
	char *end;
	long v;
	if (!s || !*s || isspace((unsigned char)*s)) /* strtol would skip leading blanks */
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int secs_to_ns_refuse(double s)
{
	return err_set("%.6g s is out of range (expected 0 to %.6g s, about 100 years)", s,
		       TIME_S_MAX);
}

int parse_double(const char *s, double *out)
{
	char *end;
	double v;
	/* decimal only: strtod would skip leading blanks and read hex ("0x10" as 16) */
	if (!s || !*s || isspace((unsigned char)*s) || strpbrk(s, "xX"))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static void gsl_handler(const char *reason, const char *file, int line, int gsl_errno)
{
	bug("gsl: %s (%s:%d, error %d)", reason, file, line, gsl_errno);
}

void util_gsl_init(void) { gsl_set_error_handler(gsl_handler); }

double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int shipped_or_file_parse(const char *path, const char *shipped,
			  int (*parse)(const char *text, size_t len, const char *name, void *ctx),
			  void *ctx)
{
	const struct asset *a = path ? NULL : asset_find(shipped);
	char *text;
	size_t len;
	int rc;
	if (a)
		return parse((const char *)a->data, a->len, shipped, ctx);
	if (!path)
		path = shipped;
	text = file_read(path, &len);
	if (!text)
		return -1;
	rc = parse(text, len, path, ctx);
	free(text);
	return rc;
}
