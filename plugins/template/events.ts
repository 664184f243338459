// Tiny Desk's webhook bodies (README.md, "Webhooks") as zod schemas. Validate a body before mapping
// it: a signed body whose fields have other types (`ticket: "x"`) is then refused with each issue's
// path (`readWebhookPayload` throws a WebhookPayloadError), and the hub keeps the delivery as a dead
// letter, instead of the mapping failing on `ticket.customer.email` with a TypeError.
import { z } from "zod";
import type { TinyDeskTicket } from "./client.ts";

const time = z.iso.datetime({ offset: true });

const ticketSchema = z.object({
  id: z.string().min(1),
  status: z.enum(["open", "solved", "deleted"]),
  subject: z.string(),
  body: z.string(),
  customer: z.object({ id: z.string().min(1), email: z.string(), name: z.string().nullable() }),
  created_at: time,
  updated_at: time,
  satisfaction: z
    .object({ score: z.number().int(), comment: z.string().nullable(), rated_at: time })
    .nullable(),
}) satisfies z.ZodType<TinyDeskTicket>;

export const tinyDeskEventSchema = z.discriminatedUnion("event", [
  z.object({ event: z.literal("ticket.updated"), sent_at: time, ticket: ticketSchema }),
  z.object({
    event: z.literal("customer.erasure_requested"),
    sent_at: time,
    request_id: z.string().min(1),
    customer: z.object({ id: z.string().min(1), email: z.string() }),
  }),
  z.object({ event: z.literal("tickets.imported"), sent_at: time, count: z.number().int().nonnegative() }),
]);
export type TinyDeskEvent = z.output<typeof tinyDeskEventSchema>;

/** The events Tiny Desk sends; any other is refused by name, before its shape is read. */
export const TINY_DESK_EVENTS: ReadonlySet<string> = new Set(
  tinyDeskEventSchema.options.map((option) => option.shape.event.value),
);
