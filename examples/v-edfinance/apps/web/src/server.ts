/**
 * The web app: renders the homepage server-side from the API's lesson list, so a homepage
 * that loads proves the web → API → database path. Plain Node (no framework): one page.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeOnSignal, listenPreviewThenLive } from "@v-edfinance/handover";
import { getFromApi } from "./api";

const API_URL = process.env.API_URL ?? "http://127.0.0.1:3000";
/** The API's preview port: the last attempt after connection failures on the live one
 * (src/api.ts), as nginx's backup upstream (nginx/nginx.conf). */
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

async function lessons(): Promise<LessonSummary[]> {
  const answer = await getFromApi("/lessons", API_URL, API_PREVIEW_URL);
  if (answer.status < 200 || answer.status > 299) {
    throw new Error(`API answered ${answer.status}`);
  }
  return JSON.parse(answer.body) as LessonSummary[];
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
