import type { NextFunction, Request, Response } from "express";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Prometheus metrics of this process, served at /metrics. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const requests = new Counter({
  name: "http_requests_total",
  help: "HTTP requests by route and status",
  labelNames: ["method", "route", "status"],
  registers: [registry],
});
const duration = new Histogram({
  name: "http_request_duration_seconds",
  help: "HTTP request latency",
  labelNames: ["method", "route"],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

/** Count every request by its route (not its raw path, which would explode the labels). */
export function measure(req: Request, res: Response, next: NextFunction): void {
  const stop = duration.startTimer();
  res.on("finish", () => {
    const route = routeOf(req.path);
    requests.inc({ method: req.method, route, status: String(res.statusCode) });
    stop({ method: req.method, route });
  });
  next();
}

function routeOf(path: string): string {
  if (path.startsWith("/lessons/")) {
    return "/lessons/:slug";
  }
  return ["/health", "/auth/login", "/auth/me", "/lessons", "/metrics"].includes(path) ? path : "other";
}
