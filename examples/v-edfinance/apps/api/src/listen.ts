import type { Server } from "node:http";
import { writeFileSync } from "node:fs";

/**
 * Bind HOST:PORT, waiting while the task this one replaces still holds it.
 *
 * Swarm starts the new task first (`order: start-first`); its healthcheck passes once the
 * app is ready (the marker file), swarm stops the old task, and this loop binds the port
 * within a few milliseconds of the old task letting go: host networking without a gap.
 */
export async function listenWhenFree(server: Server, port: number, host: string): Promise<void> {
  writeFileSync("/tmp/ready", String(process.pid));
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
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Stop accepting at once on SIGTERM, let in-flight requests finish, then exit. */
export function closeOnSignal(server: Server, onClosed: () => Promise<void>): void {
  process.once("SIGTERM", () => {
    server.close(() => {
      void onClosed().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
