import { Pool } from "pg";

/** One connection pool per process, from DATABASE_URL. */
export function createPool(): Pool {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error("DATABASE_URL is not set");
  }
  return new Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000 });
}

export const POOL = "PG_POOL";
