#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "session.h"

const struct mg_sql mg_session_statements[] = {
	[MG_SQL_SESSION_INSERT] = { "core.session_insert",
	  "INSERT INTO session (tenant_id, token_hash, kind, subject_id, stage, csrf_token, created_at, last_seen_at,"
	  " expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, FROM_UNIXTIME(?), FROM_UNIXTIME(?),"
	  " FROM_UNIXTIME(?), ?, ?)" },
	[MG_SQL_SESSION_FIND] = { "core.session_find",
	  "SELECT kind, subject_id, stage, csrf_token, UNIX_TIMESTAMP(last_seen_at) FROM session"
	  " WHERE tenant_id = ? AND token_hash = ? AND last_seen_at > FROM_UNIXTIME(?)"
	  " AND expires_at > FROM_UNIXTIME(?)" },
	[MG_SQL_SESSION_TOUCH] = { "core.session_touch",
	  "UPDATE session SET last_seen_at = FROM_UNIXTIME(?) WHERE tenant_id = ? AND token_hash = ?" },
	[MG_SQL_SESSION_DELETE] = { "core.session_delete",
	  "DELETE FROM session WHERE tenant_id = ? AND token_hash = ?" },
	[MG_SQL_SESSION_DELETE_SUBJECT] = { "core.session_delete_subject",
	  "DELETE FROM session WHERE tenant_id = ? AND kind = ? AND subject_id = ?" },
	/* the sweep: a consistent read takes no lock; each row is then deleted by its key, the
	 * time-out checked again in case a request used the session meanwhile */
	[MG_SQL_SESSION_EXPIRED] = { "core.session_expired",
	  "SELECT tenant_id, token_hash FROM session WHERE last_seen_at <= FROM_UNIXTIME(?)"
	  " OR expires_at <= FROM_UNIXTIME(?) LIMIT 500" },
	[MG_SQL_SESSION_DELETE_EXPIRED] = { "core.session_delete_expired",
	  "DELETE FROM session WHERE tenant_id = ? AND token_hash = ?"
	  " AND (last_seen_at <= FROM_UNIXTIME(?) OR expires_at <= FROM_UNIXTIME(?))" },
	[MG_SQL_SESSION__MAX] = { NULL, NULL },
};

static const char *clip(const char *s, size_t max, char *buf)
{
	snprintf(buf, max + 1, "%s", s ? s : "");
	return buf;
}

enum mg_err mg_session_create(struct mg_db *db, uint64_t tenant_id, const char *kind, uint64_t subject_id,
			      const char *stage, const char *ip, const char *user_agent,
			      char token[MG_TOKEN_CHARS + 1])
{
	char hash[65], csrf[MG_TOKEN_CHARS + 1], ip_buf[46], ua_buf[301];
	mg_token_new(token);
	mg_token_new(csrf);
	mg_sha256_hex(token, strlen(token), hash);
	time_t now = mg_now();
	struct mg_dbval args[] = { MG_INT(tenant_id), MG_TEXT(hash), MG_TEXT(kind), MG_INT(subject_id), MG_TEXT(stage),
				   MG_TEXT(csrf), MG_INT(now), MG_INT(now), MG_INT(now + MG_SESSION_ABSOLUTE),
				   MG_TEXT(clip(ip, 45, ip_buf)), MG_TEXT(clip(user_agent, 300, ua_buf)) };
	struct mg_arena *arena = mg_arena_new();
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_session_statements[MG_SQL_SESSION_INSERT], args, 11, NULL, NULL, NULL);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_session_load(struct mg_db *db, struct mg_arena *arena, uint64_t tenant_id, const char *token,
			    struct mg_session *out)
{
	memset(out, 0, sizeof(*out));
	if (token == NULL || strlen(token) != MG_TOKEN_CHARS)
		return MG_ERR_NOT_FOUND;
	mg_sha256_hex(token, strlen(token), out->token_hash);
	time_t now = mg_now();
	struct mg_dbval args[] = { MG_INT(tenant_id), MG_TEXT(out->token_hash), MG_INT(now - MG_SESSION_IDLE),
				   MG_INT(now) };
	struct mg_rows rows;
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_session_statements[MG_SQL_SESSION_FIND], args, 4, &rows, NULL, NULL);
	if (err != MG_OK)
		return err;
	if (rows.nrows == 0)
		return MG_ERR_NOT_FOUND;
	out->tenant_id = tenant_id;
	out->kind = MG_CELL(&rows, 0, 0);
	out->subject_id = strtoull(MG_CELL(&rows, 0, 1), NULL, 10);
	out->stage = MG_CELL(&rows, 0, 2);
	out->csrf = MG_CELL(&rows, 0, 3);
	out->last_seen = (time_t)strtoll(MG_CELL(&rows, 0, 4), NULL, 10);
	return MG_OK;
}

enum mg_err mg_session_touch(struct mg_db *db, const struct mg_session *s)
{
	time_t now = mg_now();
	if (now - s->last_seen < 60)
		return MG_OK;
	struct mg_dbval args[] = { MG_INT(now), MG_INT(s->tenant_id), MG_TEXT(s->token_hash) };
	struct mg_arena *arena = mg_arena_new();
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_session_statements[MG_SQL_SESSION_TOUCH], args, 3, NULL, NULL, NULL);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_session_destroy(struct mg_db *db, uint64_t tenant_id, const char *token_hash)
{
	struct mg_dbval args[] = { MG_INT(tenant_id), MG_TEXT(token_hash) };
	struct mg_arena *arena = mg_arena_new();
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_session_statements[MG_SQL_SESSION_DELETE], args, 2, NULL, NULL, NULL);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_session_destroy_subject(struct mg_db *db, uint64_t tenant_id, const char *kind, uint64_t subject_id)
{
	struct mg_dbval args[] = { MG_INT(tenant_id), MG_TEXT(kind), MG_INT(subject_id) };
	struct mg_arena *arena = mg_arena_new();
	enum mg_err err =
	    mg_db_exec(db, arena, &mg_session_statements[MG_SQL_SESSION_DELETE_SUBJECT], args, 3, NULL, NULL, NULL);
	mg_arena_free(arena);
	return err;
}

enum mg_err mg_session_sweep(struct mg_db *db, struct mg_arena *arena, time_t now, unsigned long long *deleted)
{
	*deleted = 0;
	/* the same limits as mg_session_load: idle when last seen MG_SESSION_IDLE ago or more */
	struct mg_dbval limits[] = { MG_INT(now - MG_SESSION_IDLE), MG_INT(now) };
	for (;;) {
		struct mg_rows rows;
		enum mg_err err =
		    mg_db_exec(db, arena, &mg_session_statements[MG_SQL_SESSION_EXPIRED], limits, 2, &rows, NULL, NULL);
		if (err != MG_OK)
			return err;
		unsigned long long in_batch = 0;
		for (size_t r = 0; r < rows.nrows; r++) {
			struct mg_dbval args[] = { MG_INT(strtoull(MG_CELL(&rows, r, 0), NULL, 10)),
						   MG_TEXT(MG_CELL(&rows, r, 1)), limits[0], limits[1] };
			unsigned long long affected = 0;
			if ((err = mg_db_exec(db, arena, &mg_session_statements[MG_SQL_SESSION_DELETE_EXPIRED], args, 4,
			                      NULL, &affected, NULL)) != MG_OK)
				return err;
			in_batch += affected;
		}
		*deleted += in_batch;
		/* a short batch was the last; a batch that deleted nothing would come back the same */
		if (rows.nrows < 500 || in_batch == 0)
			return MG_OK;
		mg_arena_reset(arena);
	}
}
