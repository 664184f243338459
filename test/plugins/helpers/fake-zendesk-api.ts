// Zendesk Support's API as msw handlers, serving the documented payloads in plugins/zendesk/fixtures:
// the cursor-based incremental exports of tickets and users (start_time first, then cursor=), the
// audits of a ticket (offset pages, next_page), satisfaction ratings (cursor pagination) and
// users/me. It checks the credentials as Zendesk does (basic `{email}/token:{token}` or a bearer
// token) and records every request, so tests can assert what was asked.
import { readFileSync } from "node:fs";
import { HttpResponse, http } from "msw";

export const SUBDOMAIN = "acme";
export const API = `https://${SUBDOMAIN}.zendesk.com/api/v2`;
export const EMAIL = "aria@acme.example";
export const API_TOKEN = "wJ4gG1tXb3H5Lx0Qe9sVfN2kMd7YpR6cZa8TuB3o";
export const OAUTH_TOKEN = "9f3c2b1a0e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b";
export const config = { subdomain: SUBDOMAIN, email: EMAIL, apiToken: API_TOKEN };

// biome-ignore lint/suspicious/noExplicitAny: fixtures are JSON, reshaped freely by tests.
export type Json = any;

export const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../../plugins/zendesk/fixtures/${name}`, import.meta.url), "utf8"));

/** What the fake account holds; tests change it between runs. */
export interface FakeDesk {
  /** Incremental ticket export pages: "start" answers start_time, other keys answer cursor=. */
  tickets: Record<string, Json>;
  users: Record<string, Json>;
  /** The audit pages of each ticket, page 1 first. */
  audits: Record<number, Json[]>;
  /** Satisfaction rating pages: "first", then keyed by page[after]. */
  ratings: Record<string, Json>;
}

/** The account of the fixtures: two pages of tickets and users, their audits, two pages of ratings. */
export function fixtureDesk(): FakeDesk {
  const ticketsPage1 = fixture("tickets-page-1.json");
  const usersPage1 = fixture("users-page-1.json");
  const ratingsPage1 = fixture("satisfaction-ratings-page-1.json");
  const ticketsPage2 = fixture("tickets-page-2.json");
  const usersPage2 = fixture("users-page-2.json");
  return {
    tickets: {
      start: ticketsPage1,
      [ticketsPage1.after_cursor]: ticketsPage2,
      [ticketsPage2.after_cursor]: caughtUp(ticketsPage2, "tickets"),
    },
    users: {
      start: usersPage1,
      [usersPage1.after_cursor]: usersPage2,
      [usersPage2.after_cursor]: caughtUp(usersPage2, "users"),
    },
    audits: {
      35436: [fixture("audits-35436-page-1.json"), fixture("audits-35436-page-2.json")],
      35437: [fixture("audits-35437.json")],
      35440: [fixture("audits-35440.json")],
    },
    ratings: {
      first: ratingsPage1,
      [ratingsPage1.meta.after_cursor]: fixture("satisfaction-ratings-page-2.json"),
    },
  };
}

/**
 * What the export answers to the cursor of its last page once nothing has changed since: no items,
 * end_of_stream still true, and the same after_cursor to come back with later (Zendesk's incremental
 * exports guide: "use the after_cursor value to get the next page", even at the end of the stream).
 */
function caughtUp(last: Json, items: "tickets" | "users"): Json {
  return {
    ...last,
    [items]: [],
    before_cursor: last.after_cursor,
    before_url: last.after_url,
    end_of_stream: true,
  };
}

const basic = `Basic ${Buffer.from(`${EMAIL}/token:${API_TOKEN}`).toString("base64")}`;
const authorized = (request: Request) =>
  [basic, `Bearer ${OAUTH_TOKEN}`].includes(request.headers.get("authorization") ?? "");
const unauthorized = () => HttpResponse.json(fixture("error-401.json"), { status: 401 });
const badCursor = (cursor: string | null) =>
  HttpResponse.json(
    { error: "InvalidPaginationParameter", description: `Invalid cursor: ${cursor}` },
    { status: 400 },
  );

function exportPage(pages: Record<string, Json>, url: URL) {
  const cursor = url.searchParams.get("cursor");
  if (cursor !== null) return pages[cursor] ? HttpResponse.json(pages[cursor]) : badCursor(cursor);
  if (!url.searchParams.has("start_time")) {
    return HttpResponse.json(
      { error: "InvalidValue", description: "start_time is required" },
      { status: 400 },
    );
  }
  return HttpResponse.json(pages.start);
}

/** The handlers for a desk; `seen` collects every request's URL, in order. */
export function fakeZendeskApi(desk: FakeDesk, seen: URL[] = []) {
  const guard =
    (answer: (url: URL, params: Record<string, string | readonly string[] | undefined>) => Response) =>
    ({
      request,
      params,
    }: {
      request: Request;
      params: Record<string, string | readonly string[] | undefined>;
    }) => {
      const url = new URL(request.url);
      seen.push(url);
      return authorized(request) ? answer(url, params) : unauthorized();
    };
  return [
    http.get(
      `${API}/users/me.json`,
      guard(() => HttpResponse.json(fixture("users-me.json"))),
    ),
    http.get(
      `${API}/incremental/tickets/cursor.json`,
      guard((url) => exportPage(desk.tickets, url)),
    ),
    http.get(
      `${API}/incremental/users/cursor.json`,
      guard((url) => exportPage(desk.users, url)),
    ),
    http.get(
      `${API}/tickets/:ticketId/audits.json`,
      guard((url, params) => {
        const pages = desk.audits[Number(params.ticketId)];
        const page = pages?.[Number(url.searchParams.get("page") ?? "1") - 1];
        return page
          ? HttpResponse.json(page)
          : HttpResponse.json({ error: "RecordNotFound" }, { status: 404 });
      }),
    ),
    http.get(
      `${API}/satisfaction_ratings.json`,
      guard((url) => {
        const after = url.searchParams.get("page[after]");
        const page = after === null ? desk.ratings.first : desk.ratings[after];
        if (!page) return badCursor(after);
        // start_time is the time of the oldest rating wanted, by creation (Zendesk's Satisfaction Ratings API).
        const since = Number(url.searchParams.get("start_time") ?? "0") * 1000;
        // The next link keeps the request's filters, as Zendesk's does.
        const next = page.links?.next ? new URL(page.links.next) : null;
        next?.searchParams.set("start_time", url.searchParams.get("start_time") ?? "0");
        return HttpResponse.json({
          ...page,
          satisfaction_ratings: page.satisfaction_ratings.filter(
            (rating: Json) => Date.parse(rating.created_at) >= since,
          ),
          ...(next ? { links: { ...page.links, next: next.toString() } } : {}),
        });
      }),
    ),
  ];
}
