# modules/rentals: a plug-in shared object, loaded by name from madoguchi.conf.
pkglibexec_PROGRAMS += %D%/rentals.so
%C%_rentals_so_SOURCES = %D%/rentals.c %D%/rentals.h %D%/api.c %D%/bookings.c %D%/web.c %D%/admin.c %D%/fees.c %D%/fees.h
%C%_rentals_so_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(MARIADB_CFLAGS)
%C%_rentals_so_LDFLAGS = -shared
EXTRA_DIST += schema/rentals
