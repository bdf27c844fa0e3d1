/**
 * The web app: renders the homepage server-side from the API's lesson list, so a homepage
 * that loads proves the web → API → database path. Plain Node (no framework): one page.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeOnSignal, listenPreviewThenLive } from "@v-edfinance/handover";

const API_URL = process.env.API_URL ?? "http://127.0.0.1:3000";
/** The API's preview port: during the API's hand-over (its old task has closed the live port,
 * the new, verified one has not bound it yet) a refused connection is retried there, as
 * nginx does (nginx/nginx.conf). Never used while the live port answers. */
const API_PREVIEW_URL = process.env.API_PREVIEW_URL;
const VERSION = process.env.APP_VERSION ?? "dev";

interface LessonSummary {
  slug: string;
  title: string;
  minutes: number;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function refused(err: unknown): boolean {
  return (err as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED";
}

async function lessons(): Promise<LessonSummary[]> {
  const get = (base: string): Promise<Response> => fetch(`${base}/lessons`, { signal: AbortSignal.timeout(3000) });
  let response: Response;
  try {
    response = await get(API_URL);
  } catch (err) {
    if (!(err instanceof TypeError)) {
      throw err; // a timeout: the API is there but slow, asking again would not help
    }
    // a kept-alive connection the API's old task closed as it stopped, or its live port
    // closed in the hand-over: once more, on the preview port when the live one refuses
    try {
      response = await get(API_URL);
    } catch (again) {
      if (!API_PREVIEW_URL || !refused(again)) {
        throw again;
      }
      response = await get(API_PREVIEW_URL);
    }
  }
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

async function main(): Promise<void> {
  const server = createServer(handle);
  const port = Number(process.env.PORT ?? 3001);
  const previewPort = Number(process.env.PREVIEW_PORT ?? 3011);
  const host = process.env.HOST ?? "127.0.0.1";
  closeOnSignal(server);
  await listenPreviewThenLive(server, handle, port, previewPort, host);
  console.log(`web ${VERSION} listening on ${host}:${port}, API at ${API_URL}`);
}

main().catch((err: unknown) => {
  console.error("ERROR web failed to start:", err);
  process.exit(1);
});
