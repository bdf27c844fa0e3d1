import "reflect-metadata";
import { NestFactory } from "@nestjs/core";
import type { NestExpressApplication } from "@nestjs/platform-express";
import type { Server } from "node:http";
import { AppModule } from "./app.module";
import { closeOnSignal, listenPreviewThenLive } from "@v-edfinance/handover";
import { measure } from "./metrics";

async function main(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: ["error", "warn", "log"] });
  app.use(measure);
  await app.init();
  const server = app.getHttpServer() as Server;
  const port = Number(process.env.PORT ?? 3000);
  const previewPort = Number(process.env.PREVIEW_PORT ?? 3010);
  const host = process.env.HOST ?? "127.0.0.1";
  closeOnSignal(server, () => app.close());
  await listenPreviewThenLive(server, app.getHttpAdapter().getInstance(), port, previewPort, host);
  console.log(`api ${process.env.APP_VERSION ?? "dev"} listening on ${host}:${port}`);
}

main().catch((err: unknown) => {
  console.error("ERROR api failed to start:", err);
  process.exit(1);
});
