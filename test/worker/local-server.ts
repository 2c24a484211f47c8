/**
 * How the local stand-in servers listen: loopback, a free port, and idle connections
 * kept longer than any test file runs. workerd keeps idle connections to a server and
 * reuses them; Node closes idle ones after 5 s by default, and a request sent on one as
 * it closes fails with "Network connection lost" (seen on a loaded machine).
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

const KEEP_ALIVE_MS = 10 * 60_000;

export async function listenLocal(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
