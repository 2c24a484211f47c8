/** Usage reports as the console reads them: the worker's zod schemas, imported for their types only. */
import type { z } from "zod";
import type { AgentUsageReportSchema, UsageReportSchema } from "../../../worker/features/usage/schemas";

export type UsageReport = z.infer<typeof UsageReportSchema>;
export type UsageCounts = UsageReport["totals"];
export type AgentUsageReport = z.infer<typeof AgentUsageReportSchema>;
export type AgentUsage = AgentUsageReport["items"][number];
