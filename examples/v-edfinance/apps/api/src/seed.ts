/**
 * Create (or reset the password of) the smoke-test user the deploy's login flow signs in
 * as: SMOKE_EMAIL / SMOKE_PASSWORD from the environment, never from the code.
 */
import { Client } from "pg";
import { hashPassword } from "./passwords";

async function main(): Promise<void> {
  const email = process.env.SMOKE_EMAIL;
  const password = process.env.SMOKE_PASSWORD;
  if (!email || !password) {
    throw new Error("SMOKE_EMAIL and SMOKE_PASSWORD must be set");
  }
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO users (email, password_hash) VALUES ($1, $2)
       ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash`,
      [email, hashPassword(password)],
    );
    console.log(`smoke user ${email} is ready`);
  } finally {
    await client.end();
  }
}

main().catch((err: unknown) => {
  console.error(`Error: ${(err as Error).message}`);
  process.exit(1);
});
