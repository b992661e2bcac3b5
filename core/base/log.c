#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

enum { JST_OFFSET = 9 * 3600 }; /* Japan keeps no daylight saving time */

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

void mg_log_format_jst(const struct timespec *ts, char *out, size_t outlen)
{
	time_t jst = ts->tv_sec + JST_OFFSET;
	struct tm tm;
	gmtime_r(&jst, &tm);
	char date[24];
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, outlen, "%s.%03ld+09:00", date, ts->tv_nsec / 1000000);
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
	mg_log_format_jst(&now, stamp, sizeof(stamp));

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
