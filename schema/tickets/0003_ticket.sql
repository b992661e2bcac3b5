-- E-tickets (issue 4, item 5): one per sold seat or admission place. code is what the QR
-- carries: a payload naming the ticket, signed with the tenant's Ed25519 key (core
-- signing_key, core/signing.c: "<payload>.<signature>"), so a scanner can check it from the
-- signature alone before any look-up.
-- Checking in sets checked_in_at once; a second scan reports when and at which gate.
CREATE TABLE IF NOT EXISTS tickets_ticket (
    tenant_id BIGINT UNSIGNED NOT NULL,
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    order_id BIGINT UNSIGNED NOT NULL,
    line_no INT UNSIGNED NOT NULL,
    performance_id BIGINT UNSIGNED NOT NULL,
    kind VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    resource_id BIGINT UNSIGNED NOT NULL,
    unit INT UNSIGNED NOT NULL,
    code VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    state ENUM('valid', 'void') NOT NULL DEFAULT 'valid',
    checked_in_at DATETIME(3) NULL,
    checked_in_gate VARCHAR(64) NULL,
    checked_in_by BIGINT UNSIGNED NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE KEY tickets_ticket_line (tenant_id, order_id, line_no),
    KEY tickets_ticket_performance (tenant_id, performance_id),
    KEY tickets_ticket_id_counter (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
