# modules/example: the minimal module of docs/modules.md, loaded only by the test stack.
noinst_PROGRAMS += %D%/example.so
%C%_example_so_SOURCES = %D%/example.c
%C%_example_so_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(MARIADB_CFLAGS)
%C%_example_so_LDFLAGS = -shared
