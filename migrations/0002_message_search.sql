-- Full-text search over a user's chat messages (D1 supports FTS5). Written by each
-- ChatSession Durable Object as messages persist; owner-scoped by user_id on every query.
CREATE VIRTUAL TABLE `message_search` USING fts5(
	`content`,
	`user_id` UNINDEXED,
	`session_id` UNINDEXED,
	`message_id` UNINDEXED,
	`role` UNINDEXED,
	`created_at` UNINDEXED,
	tokenize = 'porter unicode61'
);
