-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lessons" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "content" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lessons_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "lessons_slug_key" ON "lessons"("slug");

-- Seed: the lessons every release serves
INSERT INTO "lessons" ("slug", "content") VALUES
  ('budgeting-101', '{"title": "Budgeting 101", "level": "beginner", "minutes": 12, "sections": ["Why budget", "50/30/20", "Tracking"]}'),
  ('compound-interest', '{"title": "Compound interest", "level": "beginner", "minutes": 9, "sections": ["Simple vs compound", "The rule of 72"]}');
