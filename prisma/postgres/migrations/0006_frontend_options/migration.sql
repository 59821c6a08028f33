-- AlterTable
ALTER TABLE "Frontend" ADD COLUMN     "options" TEXT NOT NULL DEFAULT '{}';

