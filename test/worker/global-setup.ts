/** Node-side set-up of the worker suite: local servers that speak external services' protocols. */
import type { TestProject } from "vitest/node";
import { startFakeEmailProvider } from "./fake-email-provider";

declare module "vitest" {
  export interface ProvidedContext {
    emailApiUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const email = await startFakeEmailProvider();
  project.provide("emailApiUrl", email.url);
  return () => email.close();
}
