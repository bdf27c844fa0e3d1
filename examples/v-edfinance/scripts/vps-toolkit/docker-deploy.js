#!/usr/bin/env node
/**
 * The VPS toolkit's deploy step, non-interactive: the database part of "Deploy in order".
 * Runs the release's migrations (Prisma's layout, recorded in `_prisma_migrations`) and
 * makes sure the smoke-test user exists, both from the release's API image on the engine
 * (DOCKER_HOST: the VPS over SSH), with the production env file. API, web and nginx are
 * the swarm services gonogo updates next, in order, each behind a health gate.
 *
 *   GONOGO_VERSION=v2 REGISTRY=127.0.0.1:15000 node scripts/vps-toolkit/docker-deploy.js
 */
"use strict";
const { spawnSync } = require("node:child_process");

const version = process.env.GONOGO_VERSION;
const registry = process.env.REGISTRY || "127.0.0.1:15000";
const docker = process.env.GONOGO_DOCKER || "/usr/bin/docker";
if (!version) {
  console.error("docker-deploy: GONOGO_VERSION is not set (run it from `gonogo deploy --version V`)");
  process.exit(2);
}
const image = `${registry}/luahoa/v-edfinance-api:${version}`;
// one container for both steps: each `docker run` over SSH costs seconds of the release
const steps = "/usr/bin/node dist/migrate.js deploy && /usr/bin/node dist/seed.js";
const args = ["run", "--rm", "--network", "host", "--env-file", ".env.production", "--entrypoint", "/bin/busybox", image, "sh", "-c", steps];
console.log(`$ docker ${args.slice(0, -1).join(" ")} '${steps}'`);
const result = spawnSync(docker, args, { stdio: "inherit" });
if (result.status !== 0) {
  console.error(`docker-deploy: migrations or seed failed (exit ${result.status})`);
  process.exit(1);
}
