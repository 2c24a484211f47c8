/** Node-side set-up of the worker suite: local servers that speak external services' protocols. */
import type { TestProject } from "vitest/node";
import { startFakeAnthropic } from "./fake-anthropic";
import { startFakeEmailProvider } from "./fake-email-provider";
import { startFakeGoogle } from "./fake-google";
import { startFakeMcpServer } from "./fake-mcp-server";
import { startFakeOpenAi } from "./fake-openai";
import { startFakeWeb } from "./fake-web";

declare module "vitest" {
  export interface ProvidedContext {
    emailApiUrl: string;
    fakeWebUrl: string;
    fakeWebOtherUrl: string;
    fakeOpenAiUrl: string;
    fakeAnthropicUrl: string;
    fakeGoogleUrl: string;
    fakeMcpUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const email = await startFakeEmailProvider();
  const web = await startFakeWeb();
  const openai = await startFakeOpenAi();
  const mcp = await startFakeMcpServer();
  const anthropic = await startFakeAnthropic();
  const google = await startFakeGoogle();
  project.provide("emailApiUrl", email.url);
  project.provide("fakeWebUrl", web.url);
  project.provide("fakeWebOtherUrl", web.otherUrl);
  project.provide("fakeOpenAiUrl", openai.url);
  project.provide("fakeMcpUrl", mcp.url);
  project.provide("fakeAnthropicUrl", anthropic.url);
  project.provide("fakeGoogleUrl", google.url);
  return async () => {
    await Promise.all([email, web, openai, mcp, anthropic, google].map((server) => server.close()));
  };
}
