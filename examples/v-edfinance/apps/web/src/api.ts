/**
 * The web app's one way to call the API: GET a path, on the live port, then — only after a
 * connection-level failure — once more, then on the API's preview port.
 *
 * Why node:http with `agent: false` rather than fetch: each attempt gets a connection of its
 * own. fetch keeps idle connections to the API alive and cannot be told to open a new one;
 * when the API's old task stops it closes those it holds idle, and a request (and its retry)
 * can each be handed a socket that closed under it ("other side closed", ECONNRESET) before
 * fetch has noticed — the second failure was not a refusal, so the old code gave up: the
 * homepage answered 502 during a good deploy. A fresh connection can only be refused (the
 * hand-over: the old task has let the live port go, the new one has not bound it yet) or reset
 * (it was queued as the old task stopped accepting); both are worth another try, and the
 * preview port of the new, verified task answers during the hand-over (nginx's backup
 * upstream does the same). A timeout or an HTTP error status is an answer: never retried.
 */
import { request } from "node:http";

/** How long one attempt may take, its answer's body included. */
const TIMEOUT_MS = 3000;

export interface ApiAnswer {
  status: number;
  body: string;
}

/** The API took longer than TIMEOUT_MS: it is there but slow, asking again would not help. */
export class ApiTimeout extends Error {}

/** One GET on a connection of its own; rejects with ApiTimeout, or with the connection's error. */
function attempt(url: string): Promise<ApiAnswer> {
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  return new Promise<ApiAnswer>((resolve, reject) => {
    const fail = (err: Error): void => reject(signal.aborted ? new ApiTimeout(`no answer within ${TIMEOUT_MS} ms`) : err);
    const req = request(url, { agent: false, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", fail);
      res.on("close", () => {
        if (!res.complete) {
          fail(new Error("the connection closed in the middle of the answer"));
        }
      });
    });
    req.on("error", fail);
    req.end();
  });
}

/** A connection error as a log can show it: its code (ECONNRESET…), never a URL. */
function describe(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

/**
 * GET `path` from the API at `live`; after a connection-level failure once more on a fresh
 * connection, then at `preview` (when set) — three attempts at the most. Logs which attempt
 * answered when it was not the first (the port and the failures' codes, no URL or body).
 */
export async function getFromApi(path: string, live: string, preview: string | undefined): Promise<ApiAnswer> {
  const attempts: [string, string][] = [["live", live], ["live", live]];
  if (preview) {
    attempts.push(["preview", preview]);
  }
  const failures: string[] = [];
  for (const [i, [port, base]] of attempts.entries()) {
    try {
      const answer = await attempt(`${base}${path}`);
      if (failures.length > 0) {
        console.log(`API GET ${path}: answered on attempt ${i + 1} (${port} port) after ${failures.join(", ")}`);
      }
      return answer;
    } catch (err) {
      if (err instanceof ApiTimeout) {
        throw err;
      }
      failures.push(describe(err));
    }
  }
  throw new Error(`no API answered ${path} in ${attempts.length} attempts: ${failures.join(", ")}`);
}
