# modules/lessons: a plug-in shared object, loaded by name from madoguchi.conf.
pkglibexec_PROGRAMS += %D%/lessons.so
%C%_lessons_so_SOURCES = %D%/lessons.c
%C%_lessons_so_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(MARIADB_CFLAGS)
%C%_lessons_so_LDFLAGS = -shared
EXTRA_DIST += schema/lessons
