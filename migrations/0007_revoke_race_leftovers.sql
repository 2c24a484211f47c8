-- Data only (docs/api-conventions.md: token lifetimes and revocation). Before this release a refresh could insert the next token of a
-- family just after that family was revoked; such a token is the only unrevoked one in a family
-- whose other tokens carry revoked_at. Revoke it, and keep every denied session at least as long
-- as its family's refresh tokens live, as revokeSessionStatements does from now on.
UPDATE `refresh_tokens` SET `revoked_at` = CAST(strftime('%s', 'now') AS INTEGER) * 1000, `revoked_reason` = 'revoked_family'
WHERE `revoked_at` IS NULL
  AND (`family_id` IN (SELECT `family_id` FROM `refresh_tokens` WHERE `revoked_at` IS NOT NULL)
    OR `family_id` IN (SELECT `family_id` FROM `revoked_sessions`));--> statement-breakpoint
UPDATE `revoked_sessions` SET `expires_at` = MAX(`expires_at`,
  COALESCE((SELECT MAX(`expires_at`) FROM `refresh_tokens` WHERE `refresh_tokens`.`family_id` = `revoked_sessions`.`family_id`), 0));
