-- Keyword search over memory chunks (D1 supports FTS5). External content: the text
-- lives once, in memory_chunks; these triggers keep the index in step with every
-- insert, update and delete there, cascades from memories and files included.
-- Queries join back to memory_chunks (by seq) for the owner and the filters.
CREATE VIRTUAL TABLE `memory_search` USING fts5(
	`content`,
	content = 'memory_chunks',
	content_rowid = 'seq',
	tokenize = 'porter unicode61'
);
--> statement-breakpoint
CREATE TRIGGER `memory_chunks_search_insert` AFTER INSERT ON `memory_chunks` BEGIN
	INSERT INTO `memory_search` (rowid, content) VALUES (new.seq, new.content);
END;
--> statement-breakpoint
CREATE TRIGGER `memory_chunks_search_delete` AFTER DELETE ON `memory_chunks` BEGIN
	INSERT INTO `memory_search` (`memory_search`, rowid, content) VALUES ('delete', old.seq, old.content);
END;
--> statement-breakpoint
CREATE TRIGGER `memory_chunks_search_update` AFTER UPDATE OF `content` ON `memory_chunks` BEGIN
	INSERT INTO `memory_search` (`memory_search`, rowid, content) VALUES ('delete', old.seq, old.content);
	INSERT INTO `memory_search` (rowid, content) VALUES (new.seq, new.content);
END;
