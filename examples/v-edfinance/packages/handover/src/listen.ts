import { createServer, type RequestListener, type Server } from "node:http";
import { existsSync } from "node:fs";

/** Written by the container's healthcheck (./healthcheck.ts, run by each app's
 * src/healthcheck.ts) once it has verified this release on the preview port: the app may
 * take the live port. */
export const VERIFIED = "/tmp/verified";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Bind HOST:PORT, retrying every 10 ms while another task still holds it. */
async function bindWhenFree(server: Server, port: number, host: string): Promise<void> {
  for (;;) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") {
        throw err;
      }
      await sleep(10);
    }
  }
}

/**
 * Verify first, then take traffic (Kamal's principle, with host networking).
 *
 * The app serves on PREVIEW_PORT first, where nothing routes users (nginx's backup only takes
 * a connection the live port refused). The swarm healthcheck proves the release there; only
 * when it passes does it write VERIFIED — then swarm stops the task this one replaces
 * (start-first) and this loop binds the live port within 10 ms of it letting go. The preview
 * listener closes only after that: nginx falls back to it during the hand-over, so no
 * request meets a closed port. A release that fails its healthcheck never holds the live port.
 */
export async function listenPreviewThenLive(
  live: Server,
  handler: RequestListener,
  port: number,
  previewPort: number,
  host: string,
): Promise<void> {
  const preview = createServer(handler);
  await bindWhenFree(preview, previewPort, host);
  console.log(`preview on ${host}:${previewPort}, waiting for the healthcheck to verify it`);
  while (!existsSync(VERIFIED)) {
    await sleep(20);
  }
  await bindWhenFree(live, port, host);
  preview.close();
  preview.closeIdleConnections();
}

/** Stop accepting at once on SIGTERM, let in-flight requests finish (5 s at the most), run
 * `onClosed` (the API closes its database pool), then exit. */
export function closeOnSignal(server: Server, onClosed: () => Promise<void> = async () => {}): void {
  process.once("SIGTERM", () => {
    server.close(() => {
      void onClosed().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
