# modules/tickets: a plug-in shared object, loaded by name from madoguchi.conf.
pkglibexec_PROGRAMS += %D%/tickets.so
%C%_tickets_so_SOURCES = %D%/tickets.c
%C%_tickets_so_SOURCES += %D%/catalog.c %D%/catalog_text.c %D%/catalog_admin.c %D%/catalog_merch.c %D%/catalog_public.c
%C%_tickets_so_SOURCES += %D%/shop.c %D%/shop.h
%C%_tickets_so_SOURCES += %D%/api.c %D%/api.h
%C%_tickets_so_SOURCES += %D%/eticket.c %D%/eticket.h
%C%_tickets_so_SOURCES += %D%/checkin.c %D%/checkin.h
%C%_tickets_so_SOURCES += %D%/orders.c %D%/orders.h
%C%_tickets_so_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(MARIADB_CFLAGS)
%C%_tickets_so_LDFLAGS = -shared
EXTRA_DIST += schema/tickets
# seatmap: venues, seat-map import (schema/seatmap.rng, libxml2), the SVG seat map and seat chart
%C%_tickets_so_SOURCES += %D%/seatmap.c %D%/seatmap.h %D%/seatmap_import.c %D%/seatmap_import.h %D%/seatmap_chart.c
%C%_tickets_so_CFLAGS += $(XML_CFLAGS)
%C%_tickets_so_LDADD = $(XML_LIBS)
EXTRA_DIST += schema/seatmap.rng
# web: the public buying pages (performance page with picker and best available, cart, checkout)
%C%_tickets_so_SOURCES += %D%/web.h %D%/web_pick.c %D%/web_cart.c %D%/best_available.c %D%/best_available.h
