/**
 * The container's HEALTHCHECK, shared by both apps (their src/healthcheck.ts says what proves
 * each): swarm stops the old task only once it passes, so it is what keeps an unverified
 * release away from users.
 *
 * Before the hand-over (./listen.ts) it runs the app's `verify` against the preview port;
 * passing writes VERIFIED, the app then takes the live port. After that a light GET of
 * `path` on the live port (the preview port during the hand-over) is enough.
 */
import { existsSync, writeFileSync } from "node:fs";
import { VERIFIED } from "./listen";
import { probe } from "./probe";

export interface HealthcheckPlan {
  /** The app's default ports when PORT / PREVIEW_PORT are not set. */
  port: number;
  previewPort: number;
  /** The light check once verified, e.g. "/health". */
  path: string;
  /** Proves the release at the preview base URL: null when it passes, else why not (one line,
   * status codes only). */
  verify: (preview: string) => Promise<string | null>;
}

async function check(plan: HealthcheckPlan): Promise<number> {
  const host = process.env.HOST ?? "127.0.0.1";
  const live = `http://${host}:${process.env.PORT ?? plan.port}`;
  const preview = `http://${host}:${process.env.PREVIEW_PORT ?? plan.previewPort}`;
  if (existsSync(VERIFIED)) {
    for (const base of [live, preview]) {
      if ((await probe(`${base}${plan.path}`)).status === 200) {
        return 0;
      }
    }
    console.log(`GET ${plan.path} answered neither on the live nor on the preview port`);
    return 1;
  }
  const failure = await plan.verify(preview);
  if (failure) {
    console.log(failure);
    return 1;
  }
  writeFileSync(VERIFIED, String(Date.now()));
  console.log("verified on the preview port");
  return 0;
}

/** Run the healthcheck and exit with its verdict (0 healthy, 1 not). */
export function healthcheck(plan: HealthcheckPlan): void {
  void check(plan).then((code) => process.exit(code));
}
