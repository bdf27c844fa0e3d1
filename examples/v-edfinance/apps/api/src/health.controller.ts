import { Controller, Get, HttpException, HttpStatus, Inject } from "@nestjs/common";
import type { Pool } from "pg";
import { POOL } from "./db";

@Controller()
export class HealthController {
  constructor(@Inject(POOL) private readonly pool: Pool) {}

  /** Healthy when the process serves and the database answers. */
  @Get("health")
  async health(): Promise<{ status: string; version: string; database: string }> {
    try {
      await this.pool.query("SELECT 1");
    } catch {
      throw new HttpException({ status: "down", database: "unreachable" }, HttpStatus.SERVICE_UNAVAILABLE);
    }
    return { status: "ok", version: process.env.APP_VERSION ?? "dev", database: "up" };
  }
}
