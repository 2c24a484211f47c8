/** `core`: tools that need nothing outside the Worker. On for every user unless they disable it. */
import { z } from "zod";
import { calculator } from "../../tools/builtins/calculator";
import { currentTime, TimeZone } from "../../tools/builtins/current-time";
import { defineExtension } from "../manifest";

export const coreExtension = defineExtension({
  name: "core",
  version: "1.0.0",
  publisher: "edgewise",
  description: "Everyday tools that stay inside Edgewise: a calculator and the current time.",
  tools: [calculator, currentTime],
  schema: z.strictObject({
    default_time_zone: TimeZone.default("UTC").describe("current_time's zone when a call names none"),
  }),
  secretFields: [],
  defaultEnabled: true,
});
