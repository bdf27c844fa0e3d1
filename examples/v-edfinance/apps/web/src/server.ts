/**
 * The web app: renders the homepage server-side from the API's lesson list, so a homepage
 * that loads proves the web → API → database path. Plain Node (no framework): one page.
 */
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

const API_URL = process.env.API_URL ?? "http://127.0.0.1:3000";
const VERSION = process.env.APP_VERSION ?? "dev";

interface LessonSummary {
  slug: string;
  title: string;
  minutes: number;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function lessons(): Promise<LessonSummary[]> {
  const response = await fetch(`${API_URL}/lessons`, { signal: AbortSignal.timeout(3000) });
  if (!response.ok) {
    throw new Error(`API answered ${response.status}`);
  }
  return (await response.json()) as LessonSummary[];
}

async function homepage(res: ServerResponse): Promise<void> {
  try {
    const items = (await lessons())
      .map((l) => `<li><a href="/api/lessons/${escape(l.slug)}">${escape(l.title)}</a> (${l.minutes} min)</li>`)
      .join("");
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><html><head><title>V-EdFinance</title></head><body>` +
        `<h1>V-EdFinance</h1><p>Financial education, release ${escape(VERSION)}</p><ul>${items}</ul></body></html>`,
    );
  } catch (err) {
    console.error(`ERROR homepage: ${(err as Error).message}`);
    res.writeHead(502, { "Content-Type": "text/plain" });
    res.end("the API is unavailable\n");
  }
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === "/healthz") {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end("ok\n");
  } else if (req.url === "/" || req.url?.startsWith("/?")) {
    void homepage(res);
  } else {
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end("not found\n");
  }
}

/** See apps/api/src/listen.ts: wait for the task this one replaces to let go of the port. */
async function listenWhenFree(server: Server, port: number, host: string): Promise<void> {
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

async function main(): Promise<void> {
  const server = createServer(handle);
  const port = Number(process.env.PORT ?? 3001);
  const host = process.env.HOST ?? "127.0.0.1";
  await listenWhenFree(server, port, host);
  process.once("SIGTERM", () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  });
  console.log(`web ${VERSION} listening on ${host}:${port}, API at ${API_URL}`);
}

main().catch((err: unknown) => {
  console.error("ERROR web failed to start:", err);
  process.exit(1);
});
