/**
 * The container's HEALTHCHECK (docker-stack.yml, the Dockerfile); the API's twin
 * (apps/api/src/healthcheck.ts) explains why. Before the hand-over it proves the release on
 * the preview port: /healthz, and the homepage renders the API's lessons. Passing writes
 * VERIFIED (src/listen.ts); after that a light /healthz on the live port (the preview port
 * during the hand-over) is enough.
 */
import { existsSync, writeFileSync } from "node:fs";
import { VERIFIED } from "./listen";

const host = process.env.HOST ?? "127.0.0.1";
const live = `http://${host}:${process.env.PORT ?? 3001}`;
const preview = `http://${host}:${process.env.PREVIEW_PORT ?? 3011}`;

/** The status and body of one request; status 0 when nothing answered in time. */
async function get(url: string): Promise<[number, string]> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
    return [response.status, await response.text()];
  } catch {
    return [0, ""];
  }
}

async function verify(): Promise<string | null> {
  const [health] = await get(`${preview}/healthz`);
  if (health !== 200) {
    return `GET /healthz on the preview port answered ${health || "nothing"}`;
  }
  const [code, page] = await get(`${preview}/`);
  if (code !== 200 || !page.includes("<h1>V-EdFinance</h1>")) {
    return `the homepage on the preview port answered ${code || "nothing"}${code === 200 ? " without its heading" : ""}`;
  }
  return null;
}

async function main(): Promise<number> {
  if (existsSync(VERIFIED)) {
    for (const base of [live, preview]) {
      if ((await get(`${base}/healthz`))[0] === 200) {
        return 0;
      }
    }
    console.log("GET /healthz answered neither on the live nor on the preview port");
    return 1;
  }
  const failure = await verify();
  if (failure) {
    console.log(failure);
    return 1;
  }
  writeFileSync(VERIFIED, String(Date.now()));
  console.log("verified on the preview port");
  return 0;
}

void main().then((code) => process.exit(code));
