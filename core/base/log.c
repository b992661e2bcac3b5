#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tz.h"

static enum mg_log_level min_level = MG_LOG_INFO;
static char request_id[64];

static const char *const level_names[] = { "DEBUG", "INFO", "WARN", "ERROR" };

void mg_log_set_level(enum mg_log_level level)
{
	min_level = level;
}

void mg_log_set_request_id(const char *rid)
{
	if (rid == NULL) {
		request_id[0] = '\0';
		return;
	}
	snprintf(request_id, sizeof(request_id), "%s", rid);
}

const char *mg_log_request_id(void)
{
	return request_id;
}

void mg_log_format_time(const struct timespec *ts, char *out, size_t outlen)
{
	char iso[40];
	if (mg_tz_format(mg_tz_platform(), ts->tv_sec, MG_TZ_ISO, NULL, iso, sizeof(iso)) < 19) {
		snprintf(out, outlen, "%lld", (long long)ts->tv_sec);
		return;
	}
	/* 2026-11-22T08:49:03+01:00 → 2026-11-22T08:49:03.123+01:00 (milliseconds before the offset) */
	snprintf(out, outlen, "%.19s.%03ld%s", iso, ts->tv_nsec / 1000000, iso + 19);
}

static void replace_control_chars(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

void mg_log(enum mg_log_level level, const char *fmt, ...)
{
	if (level < min_level)
		return;
	char message[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	replace_control_chars(message);

	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char stamp[40];
	mg_log_format_time(&now, stamp, sizeof(stamp));

	char line[2300];
	int len = snprintf(line, sizeof(line), "%s %s pid=%ld rid=%s %s\n", stamp, level_names[level],
			   (long)getpid(), request_id[0] ? request_id : "-", message);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(line)) {
		len = sizeof(line) - 1;
		line[len - 1] = '\n';
	}
	/* one write() per line so lines from several workers never interleave */
	ssize_t ignored = write(STDERR_FILENO, line, (size_t)len);
	(void)ignored;
}

static enum mg_progress_mode progress_mode = MG_PROGRESS_LINES;

void mg_progress_set(enum mg_progress_mode mode)
{
	progress_mode = mode;
}

void mg_progress(int final, const char *fmt, ...)
{
	if (progress_mode == MG_PROGRESS_OFF)
		return;
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (progress_mode == MG_PROGRESS_TERMINAL)
		fprintf(stderr, "\rmadoguchi: %s\033[K%s", text, final ? "\n" : "");
	else
		fprintf(stderr, "madoguchi: %s\n", text);
	fflush(stderr);
}
