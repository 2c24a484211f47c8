CREATE TABLE `files` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`filename` text NOT NULL,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`storage_path` text NOT NULL,
	`sha256` text NOT NULL,
	`metadata` text DEFAULT '{}' NOT NULL,
	`session_id` text,
	`task_id` text,
	`extraction_status` text DEFAULT 'pending' NOT NULL,
	`extraction_error` text,
	`extracted_at` integer,
	`indexed_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`accessed_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`session_id`) REFERENCES `chat_sessions`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `files_user_idx` ON `files` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `files_user_sha_idx` ON `files` (`user_id`,`sha256`);--> statement-breakpoint
CREATE INDEX `files_session_idx` ON `files` (`session_id`);--> statement-breakpoint
CREATE TABLE `memories` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`category` text NOT NULL,
	`content` text NOT NULL,
	`metadata` text DEFAULT '{}' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`scope` text DEFAULT 'user' NOT NULL,
	`source` text DEFAULT 'manual' NOT NULL,
	`file_id` text,
	`expires_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`file_id`) REFERENCES `files`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `memories_user_idx` ON `memories` (`user_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `memories_scope_idx` ON `memories` (`scope`,`created_at`);--> statement-breakpoint
CREATE INDEX `memories_expires_idx` ON `memories` (`expires_at`);--> statement-breakpoint
CREATE INDEX `memories_file_idx` ON `memories` (`file_id`);--> statement-breakpoint
CREATE TABLE `memory_chunks` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`memory_id` text NOT NULL,
	`user_id` text NOT NULL,
	`scope` text NOT NULL,
	`ordinal` integer NOT NULL,
	`content` text NOT NULL,
	`citation` text DEFAULT '{}' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`memory_id`) REFERENCES `memories`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `memory_chunks_id_unique` ON `memory_chunks` (`id`);--> statement-breakpoint
CREATE INDEX `memory_chunks_memory_idx` ON `memory_chunks` (`memory_id`,`ordinal`);