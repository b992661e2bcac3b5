# www/: templates and static files are used from the source tree; the gettext catalogs are
# compiled into the build tree as www/po/<lang>/LC_MESSAGES/madoguchi.mo.
MG_MO_FILES = www/po/ja/LC_MESSAGES/madoguchi.mo www/po/en/LC_MESSAGES/madoguchi.mo
noinst_DATA = $(MG_MO_FILES)
CLEANFILES += $(MG_MO_FILES)
EXTRA_DIST += www/po/ja.po www/po/en.po www/templates www/static

www/po/%/LC_MESSAGES/madoguchi.mo: $(top_srcdir)/www/po/%.po
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(MSGFMT) --check -o $@ $<
