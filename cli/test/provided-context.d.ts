/** What test/e2e/global-setup.ts provides to the e2e project (repeated here so `tsc -p cli` knows it). */
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
