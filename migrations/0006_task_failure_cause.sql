-- Why a failed task failed (`action` or `children`): a retried child reopens only a parent failed by its children.
ALTER TABLE `tasks` ADD `failure_cause` text;