import { Module } from "@nestjs/common";
import { AuthController } from "./auth.controller";
import { POOL, createPool } from "./db";
import { HealthController } from "./health.controller";
import { LessonsController } from "./lessons.controller";
import { MetricsController } from "./metrics.controller";

@Module({
  controllers: [HealthController, AuthController, LessonsController, MetricsController],
  providers: [{ provide: POOL, useFactory: createPool }],
})
export class AppModule {}
