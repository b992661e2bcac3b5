-- Customers of a tenant (event-goers, facility users, learners) and the outgoing mail queue
-- (issue 3, item 8). Personal data is AES-256-GCM sealed with the tenant's data key
-- (core/crypto.h mg_seal; the aad names column and tenant), so a dump of these tables shows
-- no address, name or phone.

-- One row per e-mail address and tenant. state: 'guest' = made by a guest checkout, no
-- password; 'pending' = registered, the address not yet confirmed (no password either: the
-- one chosen at registration waits in person_token until the link is used); 'active' = may
-- log in. email_hmac is HMAC-SHA-256 of the normalised address under a key derived from the
-- tenant key (core/people.c), the only way to find a person by address.
CREATE TABLE IF NOT EXISTS person (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    email_hmac CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    email_sealed VARBINARY(400) NOT NULL,
    name_sealed VARBINARY(600) NULL,
    phone_sealed VARBINARY(200) NULL,
    address_sealed VARBINARY(1200) NULL,
    password_hash VARCHAR(255) CHARACTER SET ascii NULL,
    state ENUM('pending', 'active', 'guest') NOT NULL,
    lang CHAR(2) CHARACTER SET ascii NOT NULL DEFAULT 'ja', -- language of the mails we send
    failed_logins INT NOT NULL DEFAULT 0,
    locked_until DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL,
    confirmed_at DATETIME(6) NULL,
    updated_at DATETIME(6) NOT NULL,
    last_login_at DATETIME(6) NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE KEY person_email (tenant_id, email_hmac),
    KEY person_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Links mailed to a person: 'confirm' (registration, 24 h) and 'reset' (password, 1 h). Only
-- the SHA-256 of the token is stored; used_at makes each single-use. A confirm token carries
-- the password hash chosen with it, so a second registration of the same address by someone
-- else can neither replace nor learn the first one's password.
CREATE TABLE IF NOT EXISTS person_token (
    tenant_id BIGINT UNSIGNED NOT NULL,
    token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    purpose ENUM('confirm', 'reset') NOT NULL,
    person_id BIGINT UNSIGNED NOT NULL,
    password_hash VARCHAR(255) CHARACTER SET ascii NULL,
    created_at DATETIME(6) NOT NULL,
    expires_at DATETIME(6) NOT NULL,
    used_at DATETIME(6) NULL,
    PRIMARY KEY (tenant_id, token_hash),
    KEY person_token_person (tenant_id, person_id, purpose, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Mail waiting to go, and what became of it (core/mail.c). tenant_id 0 is the platform's own
-- mail, sealed with a key derived from the master key. The body is sealed too: it carries
-- live confirmation and reset links. The sender claims due rows per tenant with
-- SELECT … FOR UPDATE SKIP LOCKED (index mail_outbox_due), pushes next_attempt_at past the
-- delivery (a lease), then marks them sent, or queued again with a back-off, or failed.
CREATE TABLE IF NOT EXISTS mail_outbox (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    recipient_sealed VARBINARY(400) NOT NULL,
    subject VARCHAR(255) NOT NULL,
    body_sealed MEDIUMBLOB NOT NULL,
    state ENUM('queued', 'sent', 'failed') NOT NULL DEFAULT 'queued',
    attempts INT NOT NULL DEFAULT 0,
    next_attempt_at DATETIME(6) NOT NULL,
    created_at DATETIME(6) NOT NULL,
    sent_at DATETIME(6) NULL,
    last_error VARCHAR(500) NULL,
    PRIMARY KEY (tenant_id, id),
    KEY mail_outbox_due (tenant_id, state, next_attempt_at),
    KEY mail_outbox_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
