// A fake Tiny Desk (the template plugin's fictional help desk, specified in plugins/template/README.md)
// for msw: GET /tickets serves a ticket list oldest change first, with an inclusive updated_since and
// page tokens, exactly as documented; tests change the list between syncs and hook into pages.
import { HttpResponse, http } from "msw";
import type { TinyDeskTicket } from "../../../plugins/template/client.ts";

export const API = "https://api.tinydesk.example/v1";
export const TOKEN = "td_live_0123456789";
export const WEBHOOK_SECRET = "whsec_template_0123456789";
export const TEMPLATE_CONFIG = { apiToken: TOKEN, webhookSecret: WEBHOOK_SECRET };

const CUSTOMERS = [
  { id: "c_501", email: "ana.souza@example.com", name: "Ana Souza" },
  { id: "c_502", email: "li.wei@example.org", name: null },
  { id: "c_503", email: "sam@example.net", name: "Sam Okafor" },
  { id: "c_504", email: "noor@example.com", name: "Noor Haddad" },
];

/** GET /me as Tiny Desk answers it (the template's check): the account, or 401 for another token. */
export const tinyDeskAccount = http.get(`${API}/me`, ({ request }) =>
  request.headers.get("authorization") === `Bearer ${TOKEN}`
    ? HttpResponse.json({ account: { id: "acc_1", name: "Acme Kitchen" } })
    : HttpResponse.json({ error: "invalid_token" }, { status: 401 }),
);

/** `count` tickets, one per minute from `from`; every third one rated. */
export function makeTickets(count: number, from = "2026-03-01T09:00:00Z", firstId = 1): TinyDeskTicket[] {
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(Date.parse(from) + i * 60_000).toISOString();
    const id = `t_${String(firstId + i).padStart(4, "0")}`;
    return {
      id,
      status: i % 3 === 0 ? "solved" : "open",
      subject: `Question ${id}`,
      body: `The body of ${id}.`,
      customer: CUSTOMERS[i % CUSTOMERS.length] as TinyDeskTicket["customer"],
      created_at: at,
      updated_at: at,
      satisfaction: i % 3 === 0 ? { score: 1 + (i % 5), comment: `Rated ${id}`, rated_at: at } : null,
    };
  });
}

export interface TinyDeskApi {
  /** The provider's tickets; change them between syncs. */
  tickets: TinyDeskTicket[];
  /** The updated_since of each page request, in order (null: none). */
  requests: Array<{ updatedSince: string | null; page: number }>;
}

/**
 * The GET /tickets handler over `api.tickets`, `pageSize` per page. `onPage(page, request)` runs
 * before a page is served (page 0 is the first of a query): await there to hold a page back.
 */
export function tinyDeskTickets(
  api: TinyDeskApi,
  options: { pageSize?: number; onPage?: (page: number, request: Request) => unknown } = {},
) {
  const pageSize = options.pageSize ?? 100;
  return http.get(`${API}/tickets`, async ({ request }) => {
    if (request.headers.get("authorization") !== `Bearer ${TOKEN}`) {
      return HttpResponse.json({ error: "invalid_token" }, { status: 401 });
    }
    const query = new URL(request.url).searchParams;
    const updatedSince = query.get("updated_since");
    const page = Number(query.get("page_token")?.slice(1) ?? "0");
    api.requests.push({ updatedSince, page });
    await options.onPage?.(page, request);
    const matching = api.tickets
      .filter((ticket) => !updatedSince || Date.parse(ticket.updated_at) >= Date.parse(updatedSince))
      .sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id.localeCompare(b.id));
    const data = matching.slice(page * pageSize, (page + 1) * pageSize);
    const more = (page + 1) * pageSize < matching.length;
    return HttpResponse.json({ data, next_page_token: more ? `p${page + 1}` : null });
  });
}

/** The records the template makes of these tickets: interactions and CSAT answers, by externalId. */
export function expectedFacts(tickets: TinyDeskTicket[]) {
  const live = tickets.filter((ticket) => ticket.status !== "deleted");
  return {
    interactions: live.map((ticket) => `ticket:${ticket.id}`).sort(),
    feedback: live
      .filter((ticket) => ticket.satisfaction)
      .map((ticket) => `csat:${ticket.id}`)
      .sort(),
  };
}
