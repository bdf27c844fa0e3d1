/**
 * The container's HEALTHCHECK (docker-stack.yml, the Dockerfile; the hand-over it guards is
 * packages/handover): swarm stops the old task only once this passes.
 *
 * Before the hand-over it proves the release on the preview port the way gonogo's health gate
 * does after it (scripts/api-health.sh): /health, then four simultaneous sign-ins of the
 * smoke user must all answer 200 — a release that breaks under load (v3) fails here and never
 * takes the live port. After that a light /health is enough.
 * Prints status codes only: the smoke user's credentials never reach its output.
 */
import { healthcheck, probe } from "@v-edfinance/handover";

async function verify(preview: string): Promise<string | null> {
  const email = process.env.SMOKE_EMAIL;
  const password = process.env.SMOKE_PASSWORD;
  if (!email || !password) {
    return "SMOKE_EMAIL and SMOKE_PASSWORD are not set (.env.production)";
  }
  const health = (await probe(`${preview}/health`)).status;
  if (health !== 200) {
    return `GET /health on the preview port answered ${health || "nothing"}`;
  }
  const body = JSON.stringify({ email, password });
  const signIn = async (): Promise<number> =>
    (await probe(`${preview}/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body }))
      .status;
  const codes = await Promise.all([signIn(), signIn(), signIn(), signIn()]);
  if (codes.some((code) => code !== 200)) {
    return `4 simultaneous sign-ins answered: ${codes.join(" ")} (want 200 each)`;
  }
  return null;
}

healthcheck({ port: 3000, previewPort: 3010, path: "/health", verify });
