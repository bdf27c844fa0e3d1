/**
 * Apply prisma/migrations/<timestamp>_<name>/migration.sql the way `prisma migrate deploy`
 * does, and record each in `_prisma_migrations` exactly as Prisma writes it (same table,
 * sha256 checksum of the script, started_at/finished_at, applied_steps_count). The Prisma
 * CLI downloads its engines when installed, which this machine cannot; this script reads
 * and writes the same table, so `prisma migrate status` would agree with it.
 *
 *   node dist/migrate.js deploy    apply what is pending, one transaction per migration
 *   node dist/migrate.js status    list pending migrations; exit 1 when there are some
 *   node dist/migrate.js check     no database: the folder is well-formed and every model of
 *                                  schema.prisma has a table some migration creates
 */
import { createHash, randomUUID } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Client } from "pg";

const TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface Migration {
  name: string;
  script: string;
  checksum: string;
}

function migrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort()
    .map((name) => {
      const script = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, script, checksum: createHash("sha256").update(script).digest("hex") };
    });
}

async function applied(client: Client): Promise<Map<string, string>> {
  const { rows } = await client.query<{ migration_name: string; checksum: string }>(
    'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  return new Map(rows.map((r) => [r.migration_name, r.checksum]));
}

/** What `prisma generate` would refuse, checked without its engines. */
function check(dir: string): number {
  const problems: string[] = [];
  const lock = readFileSync(join(dir, "migration_lock.toml"), "utf8");
  if (!/provider = "postgresql"/.test(lock)) {
    problems.push("migration_lock.toml: provider is not postgresql");
  }
  const all = migrations(dir);
  for (const m of all) {
    if (!/^\d{14}_[a-z0-9_]+$/.test(m.name)) {
      problems.push(`${m.name}: expected <14-digit timestamp>_<name>`);
    }
  }
  const sql = all.map((m) => m.script).join("\n");
  const schema = readFileSync(join(dir, "..", "schema.prisma"), "utf8");
  for (const [, table] of schema.matchAll(/@@map\("([^"]+)"\)/g)) {
    if (!sql.includes(`CREATE TABLE "${table}"`)) {
      problems.push(`schema.prisma maps a model to "${table}", which no migration creates`);
    }
  }
  for (const problem of problems) {
    console.error(problem);
  }
  if (problems.length === 0) {
    console.log(`schema.prisma and ${all.length} migrations agree`);
  }
  return problems.length === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const command = process.argv[2] ?? "status";
  const dir = process.env.MIGRATIONS_DIR ?? join(__dirname, "..", "prisma", "migrations");
  if (command === "check") {
    return check(dir);
  }
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(TABLE);
    const done = await applied(client);
    const all = migrations(dir);
    for (const m of all) {
      const checksum = done.get(m.name);
      if (checksum !== undefined && checksum !== m.checksum) {
        console.error(`The migration ${m.name} was modified after it was applied.`);
        return 1;
      }
    }
    const pending = all.filter((m) => !done.has(m.name));
    if (command === "status") {
      console.log(`${all.length} migrations found in prisma/migrations`);
      if (pending.length === 0) {
        console.log("Database schema is up to date!");
        return 0;
      }
      console.log(`Following migration(s) have not yet been applied:\n${pending.map((m) => m.name).join("\n")}`);
      return 1;
    }
    if (command !== "deploy") {
      console.error(`unknown command ${command}: use deploy or status`);
      return 2;
    }
    for (const m of pending) {
      const id = randomUUID();
      await client.query("BEGIN");
      try {
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
          [id, m.checksum, m.name],
        );
        await client.query(m.script);
        await client.query(
          'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
          [id],
        );
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        console.error(`Migration ${m.name} failed: ${(err as Error).message}`);
        return 1;
      }
      console.log(`Applying migration \`${m.name}\``);
    }
    console.log(
      pending.length === 0 ? "No pending migrations to apply." : `All migrations have been successfully applied.`,
    );
    return 0;
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`Error: ${(err as Error).message}`);
    process.exit(1);
  },
);
