/*
 * One line per event on stderr: timestamp in the platform's zone, level, pid, request id, message.
 *   2026-11-22T08:49:03.123+01:00 INFO pid=4242 rid=5f0c... GET /healthz 200 1.2ms
 * Control characters in messages are replaced so a client cannot forge log lines.
 */
#ifndef MG_LOG_H
#define MG_LOG_H

#include <stddef.h>
#include <time.h>

enum mg_log_level { MG_LOG_DEBUG, MG_LOG_INFO, MG_LOG_WARN, MG_LOG_ERROR };

void mg_log_set_level(enum mg_log_level level);
/* The request id put on every line until cleared (NULL); copied. */
void mg_log_set_request_id(const char *rid);
const char *mg_log_request_id(void);

void mg_log(enum mg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define mg_log_debug(...) mg_log(MG_LOG_DEBUG, __VA_ARGS__)
#define mg_log_info(...) mg_log(MG_LOG_INFO, __VA_ARGS__)
#define mg_log_warn(...) mg_log(MG_LOG_WARN, __VA_ARGS__)
#define mg_log_error(...) mg_log(MG_LOG_ERROR, __VA_ARGS__)

/* Formats a UTC instant as ISO 8601 with milliseconds in the platform's zone (tz.h) into out
 * (at least 32 bytes). */
void mg_log_format_time(const struct timespec *ts, char *out, size_t outlen);

/* How long commands (backup, restore, drill) show their progress on stderr: a line each (a
 * pipe or a file: the default), one line rewritten in place (a terminal), or not at all (the
 * scheduler, whose log wants outcomes, not progress). The CLI chooses at start. */
enum mg_progress_mode { MG_PROGRESS_LINES, MG_PROGRESS_TERMINAL, MG_PROGRESS_OFF };
void mg_progress_set(enum mg_progress_mode mode);
/* One progress message ("madoguchi: " is prefixed); final ends a line rewritten in place. */
void mg_progress(int final, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
