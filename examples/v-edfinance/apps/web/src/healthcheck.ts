/**
 * The container's HEALTHCHECK (docker-stack.yml, the Dockerfile; packages/handover runs it
 * and explains why). Before the hand-over it proves the release on the preview port:
 * /healthz, and the homepage renders the API's lessons. After that a light /healthz.
 */
import { healthcheck, probe } from "@v-edfinance/handover";

async function verify(preview: string): Promise<string | null> {
  const health = (await probe(`${preview}/healthz`)).status;
  if (health !== 200) {
    return `GET /healthz on the preview port answered ${health || "nothing"}`;
  }
  const { status, body } = await probe(`${preview}/`);
  if (status !== 200 || !body.includes("<h1>V-EdFinance</h1>")) {
    return `the homepage on the preview port answered ${status || "nothing"}${status === 200 ? " without its heading" : ""}`;
  }
  return null;
}

healthcheck({ port: 3001, previewPort: 3011, path: "/healthz", verify });
