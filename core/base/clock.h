/*
 * The time every business rule reads (lockouts, session time-outs, contract dates, holds).
 * In tests, config key clock_offset_file names a file holding a number of seconds added to
 * the real clock, so a test can move time forward without waiting; it is empty (off) in
 * production.
 */
#ifndef MG_CLOCK_H
#define MG_CLOCK_H

#include <time.h>

void mg_clock_init(const char *offset_file);
time_t mg_now(void);

#endif
