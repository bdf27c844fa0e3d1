import { Controller, Get, Inject, NotFoundException, Param } from "@nestjs/common";
import type { Pool } from "pg";
import { POOL } from "./db";

/** A lesson's content is a JSONB document (title, level, minutes, sections). */
interface LessonContent {
  title: string;
  level: string;
  minutes: number;
  sections: string[];
}

@Controller("lessons")
export class LessonsController {
  constructor(@Inject(POOL) private readonly pool: Pool) {}

  @Get()
  async list(): Promise<{ slug: string; title: string; minutes: number }[]> {
    const { rows } = await this.pool.query<{ slug: string; title: string; minutes: number }>(
      "SELECT slug, content->>'title' AS title, (content->>'minutes')::int AS minutes FROM lessons ORDER BY id",
    );
    return rows;
  }

  @Get(":slug")
  async one(@Param("slug") slug: string): Promise<{ slug: string; content: LessonContent }> {
    const { rows } = await this.pool.query<{ slug: string; content: LessonContent }>(
      "SELECT slug, content FROM lessons WHERE slug = $1",
      [slug],
    );
    if (!rows[0]) {
      throw new NotFoundException(`no lesson ${slug}`);
    }
    return rows[0];
  }
}
