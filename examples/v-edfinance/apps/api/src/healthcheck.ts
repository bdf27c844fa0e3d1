/**
 * The container's HEALTHCHECK (docker-stack.yml, the Dockerfile): swarm stops the old task
 * only once this passes, so it is what keeps an unverified release away from users.
 *
 * Before the hand-over it proves the release on the preview port (src/listen.ts) the way
 * gonogo's health gate does after it (scripts/api-health.sh): /health, then four
 * simultaneous sign-ins of the smoke user must all answer 200 — a release that breaks under
 * load (v3) fails here and never takes the live port. Passing writes VERIFIED. After that a
 * light /health on the live port (the preview port during the hand-over) is enough.
 * Prints status codes only: the smoke user's credentials never reach its output.
 */
import { existsSync, writeFileSync } from "node:fs";
import { VERIFIED } from "./listen";

const host = process.env.HOST ?? "127.0.0.1";
const live = `http://${host}:${process.env.PORT ?? 3000}`;
const preview = `http://${host}:${process.env.PREVIEW_PORT ?? 3010}`;

/** The status of one request, or 0 when nothing answered in time. */
async function status(url: string, init: RequestInit = {}): Promise<number> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(4000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

async function verify(): Promise<string | null> {
  const email = process.env.SMOKE_EMAIL;
  const password = process.env.SMOKE_PASSWORD;
  if (!email || !password) {
    return "SMOKE_EMAIL and SMOKE_PASSWORD are not set (.env.production)";
  }
  const health = await status(`${preview}/health`);
  if (health !== 200) {
    return `GET /health on the preview port answered ${health || "nothing"}`;
  }
  const body = JSON.stringify({ email, password });
  const signIn = (): Promise<number> =>
    status(`${preview}/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
  const codes = await Promise.all([signIn(), signIn(), signIn(), signIn()]);
  if (codes.some((code) => code !== 200)) {
    return `4 simultaneous sign-ins answered: ${codes.join(" ")} (want 200 each)`;
  }
  return null;
}

async function main(): Promise<number> {
  if (existsSync(VERIFIED)) {
    for (const base of [live, preview]) {
      if ((await status(`${base}/health`)) === 200) {
        return 0;
      }
    }
    console.log("GET /health answered neither on the live nor on the preview port");
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
