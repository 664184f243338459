// The REST-shaped JSON of Shopify's webhook bodies, as zod schemas of the fields this connector reads
// (Shopify's webhook reference: the Order, Refund and Customer resources, and the mandatory privacy
// topics). A body is validated before it is mapped: a signed body whose fields have other types
// (`line_items: "x"`, `refunds: [null]`) is refused with every issue's path and kept whole by the hub
// as a dead letter, instead of failing inside the mapping. Fields this connector does not read are let
// through untouched (loose objects), since Shopify adds fields to its payloads without notice.
import { z } from "zod";

/** Ids are 64-bit integers: bare numbers, or the exact digits as a string (json.ts) when too large. */
const id = z.union([z.string().min(1), z.number().int()]);

/** An ISO 8601 time as Shopify writes them ("2021-12-31T19:00:00-05:00"). */
const time = z.iso.datetime({ offset: true, error: "Expected an ISO 8601 time with its offset." });

const money = z.looseObject({
  amount: z.string().nullish(),
  currency_code: z.string().nullish(),
});

const moneySet = z.looseObject({
  shop_money: money.nullish(),
  presentment_money: money.nullish(),
});

/** Bodies name a resource by its numeric id, its GID, or both. */
const identified = {
  id: id.optional(),
  admin_graphql_api_id: z.string().min(1).optional(),
};

function requireAnId(body: { id?: unknown; admin_graphql_api_id?: unknown }, ctx: z.RefinementCtx) {
  if (body.id === undefined && body.admin_graphql_api_id === undefined) {
    ctx.addIssue({ code: "custom", path: ["id"], message: "The body has no id (nor admin_graphql_api_id)." });
  }
}

export const restRefundSchema = z
  .looseObject({
    ...identified,
    order_id: id.optional(),
    created_at: time.nullish(),
    note: z.string().nullish(),
    transactions: z
      .array(
        z.looseObject({
          kind: z.string().nullish(),
          status: z.string().nullish(),
          amount: z.union([z.string(), z.number()]).nullish(),
          currency: z.string().nullish(),
        }),
      )
      .nullish(),
    refund_line_items: z.array(z.looseObject({ subtotal_set: moneySet.nullish() })).nullish(),
    total_duties_set: moneySet.nullish(),
  })
  .superRefine(requireAnId);
export type RestRefund = z.output<typeof restRefundSchema>;

export const restOrderSchema = z
  .looseObject({
    ...identified,
    name: z.string().nullish(),
    email: z.string().nullish(),
    processed_at: time.nullish(),
    /** The order's own version: every change to an order moves it (and sends orders/updated). */
    updated_at: time,
    cancelled_at: time.nullish(),
    cancel_reason: z.string().nullish(),
    test: z.boolean().nullish(),
    financial_status: z.string().nullish(),
    tags: z.string().nullish(),
    currency: z.string().nullish(),
    presentment_currency: z.string().nullish(),
    line_items: z
      .array(
        z.looseObject({
          quantity: z.number().int().nonnegative().nullish(),
          gift_card: z.boolean().nullish(),
        }),
      )
      .nullish(),
    total_price_set: moneySet.nullish(),
    customer: z
      .looseObject({ ...identified, email: z.string().nullish() })
      .superRefine(requireAnId)
      .nullish(),
    refunds: z.array(restRefundSchema).nullish(),
  })
  .superRefine(requireAnId);
export type RestOrder = z.output<typeof restOrderSchema>;

export const restCustomerSchema = z
  .looseObject({
    ...identified,
    email: z.string().nullish(),
    phone: z.string().nullish(),
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    state: z.string().nullish(),
    tags: z.string().nullish(),
    /** The customer's own version (documented on the Customer resource and its webhooks). */
    updated_at: time.nullish(),
  })
  .superRefine(requireAnId);
export type RestCustomer = z.output<typeof restCustomerSchema>;

/** orders/delete and customers/delete carry only the id. */
export const restDeletedSchema = z.looseObject({ ...identified }).superRefine(requireAnId);

const privacyCustomer = z.looseObject({
  id: id.nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
});

export const customersRedactSchema = z.looseObject({
  customer: privacyCustomer.nullish(),
  orders_to_redact: z.array(id).max(10_000).nullish(),
});

export const customersDataRequestSchema = z.looseObject({
  customer: privacyCustomer.nullish(),
  orders_requested: z.array(id).max(10_000).nullish(),
  data_request: z.looseObject({ id: id.nullish() }).nullish(),
});
