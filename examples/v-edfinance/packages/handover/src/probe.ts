/** What one probe of the container's healthcheck saw: status 0 when nothing answered in time. */
export interface Probe {
  status: number;
  body: string;
}

/**
 * One request of a healthcheck, never failing: a refused connection or no answer within 4 s
 * (the HEALTHCHECK's --timeout is 5 s) is status 0. Callers print status codes only, so a
 * request that carries credentials (the smoke user's sign-in) never shows them.
 */
export async function probe(url: string, init: RequestInit = {}): Promise<Probe> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(4000) });
    return { status: response.status, body: await response.text() };
  } catch {
    return { status: 0, body: "" };
  }
}
