/*
 * madoguchi keys rotate --new-key FILE
 *
 * Replaces the master key. Every tenant's data key is re-wrapped under the new master key in
 * one transaction, and each new wrapping is unwrapped again before anything commits; only then
 * does the new key take the place of master_key_file (by an atomic rename), the old one staying
 * beside it as <master_key_file>.old-<UTC time> (mode 0600: backups taken before the rotation
 * still need it). FILE holds the new key (64 hex digits, mode 0600); it is created with a
 * random key when it does not exist. Running workers hold the old key until they are replaced:
 * send the serve master SIGHUP (or restart it) right after.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "audit.h"
#include "cli.h"
#include "crypto.h"
#include "tenant.h"

static const char keys_usage[] = "usage: madoguchi keys rotate --new-key FILE\n";

/* Writes key as 64 hex digits to a new file (never an existing one), mode 0600, synced. */
static int write_key_file(const char *path, const unsigned char key[MG_KEY_BYTES])
{
	char text[2 * MG_KEY_BYTES + 2];
	for (int i = 0; i < MG_KEY_BYTES; i++)
		snprintf(text + 2 * i, 3, "%02x", key[i]);
	text[2 * MG_KEY_BYTES] = '\n';
	text[2 * MG_KEY_BYTES + 1] = '\0';
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
	int ok = fd >= 0 && fchmod(fd, 0600) == 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text) &&
		 fsync(fd) == 0;
	int saved = errno;
	if (fd >= 0)
		close(fd);
	OPENSSL_cleanse(text, sizeof(text));
	if (!ok) {
		if (fd >= 0)
			unlink(path);
		return mg_cli_fail("keys rotate", "cannot write %s: %s", path, strerror(saved));
	}
	return 0;
}

/* Makes a rename in path's folder durable. */
static void sync_folder(const char *path)
{
	char copy[512];
	snprintf(copy, sizeof(copy), "%s", path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int load_new_key(const char *file, unsigned char key[MG_KEY_BYTES])
{
	char errbuf[512];
	if (access(file, F_OK) != 0 && errno == ENOENT) {
		if (mg_master_key_create(file, errbuf, sizeof(errbuf)) != MG_OK)
			return mg_cli_fail("keys rotate", "%s", errbuf);
		printf("created a new random master key in %s\n", file);
	}
	if (mg_master_key_load(file, key, errbuf, sizeof(errbuf)) != MG_OK)
		return mg_cli_fail("keys rotate", "new key: %s", errbuf);
	return 0;
}

static int rotate(struct mg_cli *cli, int argc, char **argv)
{
	const char *new_file = NULL, *current = cli->cfg->master_key_file;
	const struct mg_cli_option options[] = { { "new-key", &new_file, NULL, true, false },
						 { NULL, NULL, NULL, false, false } };
	struct mg_cli_args spec = { keys_usage, options, NULL, 0, 0, 0 };
	if (mg_cli_parse(&spec, argc, argv) != 0)
		return 2;

	unsigned char old_key[MG_KEY_BYTES], new_key[MG_KEY_BYTES];
	char errbuf[512], staged[600], kept[600];
	struct mg_db *db = NULL;
	int status = 1, staged_made = 0;
	memset(new_key, 0, sizeof(new_key));
	if (mg_master_key_load(current, old_key, errbuf, sizeof(errbuf)) != MG_OK) {
		mg_cli_fail("keys rotate", "current key: %s", errbuf);
		goto out;
	}
	if (load_new_key(new_file, new_key) != 0)
		goto out;
	if (CRYPTO_memcmp(old_key, new_key, sizeof(old_key)) == 0) {
		mg_cli_fail("keys rotate", "%s holds the key in use already; give a new one", new_file);
		goto out;
	}
	/* staged next to the key file before the database changes, so the rename after the
	 * commit cannot fail for want of space or rights */
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(staged, sizeof(staged), "%s.new-%ld", current, (long)getpid());
	snprintf(kept, sizeof(kept), "%s.old-%s", current, stamp);
	if (write_key_file(staged, new_key) != 0)
		goto out;
	staged_made = 1;
	if ((db = mg_cli_connect(cli, false)) == NULL)
		goto out;

	size_t count = 0;
	uint64_t failed = 0;
	enum mg_err err = mg_tenant_rewrap_keys(db, old_key, new_key, &count, &failed);
	if (err != MG_OK) {
		if (failed != 0)
			mg_cli_fail("keys rotate", "the data key of tenant id %llu does not open with the current master "
				    "key (%s); nothing was changed", (unsigned long long)failed, mg_strerror(err));
		else
			mg_cli_fail("keys rotate", "%s: %s; nothing was changed", mg_strerror(err), mg_db_error(db));
		goto out;
	}
	/* committed: from here the new key is the one that opens the tenants' data */
	if (link(current, kept) != 0) {
		mg_cli_fail("keys rotate", "re-wrapped %zu tenant key(s) under the new key, but could not keep the old "
			    "key as %s: %s. The new key is in %s: move it to %s by hand, then reload the workers",
			    count, kept, strerror(errno), staged, current);
		staged_made = 0;
		goto out;
	}
	if (rename(staged, current) != 0) {
		mg_cli_fail("keys rotate", "re-wrapped %zu tenant key(s), but could not move %s to %s: %s. Move it by "
			    "hand, then reload the workers", count, staged, current, strerror(errno));
		staged_made = 0;
		goto out;
	}
	staged_made = 0;
	sync_folder(current);
	char detail[64];
	snprintf(detail, sizeof(detail), "%zu tenant key(s) re-wrapped", count);
	struct mg_audit_event ev = { 0, "operator:cli", "keys.rotate", "master_key", "", "madoguchi keys rotate",
				     "success", detail };
	mg_audit_record(db, &ev);
	printf("re-wrapped %zu tenant key(s) under the new master key, now in %s\n"
	       "the old key is kept as %s (backups taken before now need it)\n"
	       "running workers still hold the old key: reload them now with SIGHUP to the serve master\n"
	       "(kill -HUP $(cat <var>/run/madoguchi.pid)) or restart madoguchi serve\n",
	       count, current, kept);
	status = 0;
out:
	if (staged_made)
		unlink(staged);
	OPENSSL_cleanse(old_key, sizeof(old_key));
	OPENSSL_cleanse(new_key, sizeof(new_key));
	mg_db_close(db);
	return status;
}

int mg_cmd_keys(struct mg_cli *cli, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "rotate") == 0)
		return rotate(cli, argc - 1, argv + 1);
	fputs(keys_usage, stderr);
	return 2;
}
