-- AlterEnum
ALTER TYPE "WebhookEventType" ADD VALUE 'SEGMENT_ENTERED';
