// The alerts page's script: signs in with an API key (kept in sessionStorage, this tab only), shows
// the totals (open alerts, at-risk customers), pages through the alerts and at-risk customers (by
// value at risk) of one book with Relay cursors — an account manager's own; everyone's, or one
// account manager's that they pick, for an admin or an analyst —, opens a customer (#customer=<id>) to their score,
// reasons, score history and timeline, and follows new alerts live over a WebSocket speaking the
// graphql-transport-ws protocol. It subscribes with `since:` the cursor the first alert page came
// with, and after a dropped connection with the last cursor it received, so no alert raised in
// between is missed. Everything shown is set with textContent: nothing a customer wrote can become
// markup. The response-speed and journey panels are insights.js's; this loads them when their tab opens.

import { createInsights } from "./insights.js";

const KEY_STORAGE = "cxhub.apiKey";
const RECONNECT_DELAYS_MS = [500, 1000, 2000, 5000, 10000];
/** Items per page of every list. */
const PAGE_SIZE = 20;

const ALERT_FIELDS = `
  id level churnRisk previousChurnRisk status raisedAt
  reasons { factor weight explanation }
  customer { id displayName owner { id } }`;

const VIEWER = `query Viewer { viewer { role principal { id name } } }`;
/** The account managers an admin can pick a book from (principals is for admins only). */
const OWNERS = `query Owners($after: String) {
  principals(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { id name ownedCustomerCount } }
  }
}`;
const ALERTS = `query AlertsPage($filter: AlertFilter, $after: String) {
  alerts(filter: $filter, first: ${PAGE_SIZE}, after: $after) {
    totalCount streamCursor pageInfo { hasNextPage endCursor } edges { node { ${ALERT_FIELDS} } }
  }
}`;
const OPEN_ALERT_COUNT = `query OpenAlertCount($owner: ID) {
  alerts(filter: { status: [OPEN], snoozed: false, ownerId: $owner }, first: 1) { totalCount }
}`;
const AT_RISK = `query AtRiskPage($owner: ID, $after: String) {
  customers(filter: { churnRiskLevels: [HIGH, CRITICAL], ownerId: $owner },
            orderBy: { field: VALUE_AT_RISK, direction: DESC }, first: ${PAGE_SIZE}, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id displayName score {
      churnRisk churnRiskLevel valueAtRisk { amount currency } lifetimeValue { amount currency }
      reasons { factor weight explanation } } } }
  }
}`;
const HISTORY_FIELDS = `totalCount pageInfo { hasNextPage endCursor }
  edges { node { computedAt churnRisk churnRiskLevel health } }`;
const TIMELINE_FIELDS = `totalCount pageInfo { hasNextPage endCursor }
  edges { node { __typename
    ... on Interaction { channel kind direction occurredAt summary sentiment amount { amount currency } }
    ... on Feedback { measure score comment respondedAt } } }`;
const CUSTOMER = `query CustomerView($id: ID!) {
  customer(id: $id) {
    id displayName
    score {
      churnRisk churnRiskLevel health computedAt forecastMonths
      lifetimeValue { amount currency } valueAtRisk { amount currency }
      reasons { factor weight contribution explanation }
    }
    scoreHistory(first: ${PAGE_SIZE}) { ${HISTORY_FIELDS} }
    timeline(first: ${PAGE_SIZE}) { ${TIMELINE_FIELDS} }
  }
}`;
const HISTORY_PAGE = `query ScoreHistoryPage($id: ID!, $after: String) {
  customer(id: $id) { scoreHistory(first: ${PAGE_SIZE}, after: $after) { ${HISTORY_FIELDS} } }
}`;
const TIMELINE_PAGE = `query TimelinePage($id: ID!, $after: String) {
  customer(id: $id) { timeline(first: ${PAGE_SIZE}, after: $after) { ${TIMELINE_FIELDS} } }
}`;
const ACKNOWLEDGE = `mutation Acknowledge($input: AcknowledgeAlertInput!) {
  acknowledgeAlert(input: $input) {
    __typename
    ... on AlertPayload { alert { id status } }
    ... on UserError { message }
  }
}`;
/** Alerts of a live digest added to the list one by one; past this many the page offers a refresh. */
const DIGEST_SHOWN = 100;
const LIVE_ALERTS = `subscription LiveAlerts($since: String, $scope: AlertScope!) {
  churnRiskAlerts(since: $since, scope: $scope) {
    cursor
    alert { ${ALERT_FIELDS} }
    digest { alertCount alerts(first: ${DIGEST_SHOWN}) { edges { node { ${ALERT_FIELDS} } } } }
  }
}`;

const $ = (id) => document.getElementById(id);
let apiKey = sessionStorage.getItem(KEY_STORAGE);
let viewer = null;
/**
 * Whose customers the lists and panels show: a principal's ID, or null for everyone's. An account
 * manager's is always their own (the server shows them nothing else); an admin or an analyst starts
 * with everyone's, since their key usually owns no customers, and an admin can pick a manager's book.
 */
let book = null;
/** The names of the account managers an admin can pick, by principal ID. */
const ownerNames = new Map();
let socket = null;
let lastCursor = null;
let reconnects = 0;

/** The alert list as loaded under its status filter, and the open-alert total. */
const alertList = { items: new Map(), total: 0, endCursor: null, hasNextPage: false, openTotal: 0 };
/** The at-risk list as loaded, page by page. */
const customerList = { shown: 0, pages: 0, total: 0, endCursor: null, hasNextPage: false };
/** The customer on view, with the cursors of their history and timeline. */
let customerView = null;
/** The response-speed and journey panels, for the signed-in viewer; loaded the first time each opens. */
let insights = null;
const loadedPanels = new Set();

class SignedOut extends Error {}

async function graphql(query, variables = {}) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (response.status === 401) throw new SignedOut(body.errors?.[0]?.message ?? "Your API key was refused.");
  if (body.errors?.length) throw new Error(body.errors.map((error) => error.message).join(" "));
  return body.data;
}

function showProblem(message) {
  $("problem").textContent = message;
  $("problem").hidden = !message;
}

function setConnection(state, text) {
  const element = $("connection");
  element.hidden = false;
  element.dataset.state = state;
  element.textContent = text;
}

const percent = (risk) => `${Math.round(risk * 100)}%`;
const levelName = (level) => level.charAt(0) + level.slice(1).toLowerCase();
const FACTOR_NAMES = {
  PURCHASE_PATTERN: "Purchase pattern",
  NO_PURCHASES: "No purchases yet",
  NO_PURCHASE_MODEL: "No purchase model yet",
  RECENCY: "Time since last activity",
  FREQUENCY: "How often they buy",
  TENURE: "How long a customer",
  SPEND: "Spend per purchase",
  ENGAGEMENT_DROP: "Activity dropping",
  SENTIMENT: "Tone of messages",
  NPS: "NPS",
  CSAT: "CSAT",
  CES: "CES",
  UNANSWERED_MESSAGES: "Unanswered messages",
};
const factorName = (factor) => FACTOR_NAMES[factor] ?? levelName(factor).replaceAll("_", " ");
const count = (n, one, many) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
const when = (iso) => new Date(iso).toLocaleString();
const customerName = (customer) => customer.displayName ?? "A customer without a name";
const customerHref = (id) => `#customer=${encodeURIComponent(id)}`;

function money(value) {
  if (!value) return "none";
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: value.currency }).format(
      Number(value.amount),
    );
  } catch {
    return `${value.amount} ${value.currency}`;
  }
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "className") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function reasonList(reasons) {
  const list = element("ul", { className: "reasons" });
  for (const reason of reasons.filter((r) => r.weight > 0).slice(0, 3)) {
    list.append(element("li", {}, reason.explanation));
  }
  return list;
}

function cardTitle(customer, level) {
  return element(
    "h3",
    {},
    element("a", { href: customerHref(customer.id) }, customerName(customer)),
    element("span", { className: "level", dataset: { level } }, levelName(level)),
  );
}

// ---- Totals ----

function renderTotals() {
  $("total-alerts").textContent = alertList.openTotal.toLocaleString();
  $("total-customers").textContent = customerList.total.toLocaleString();
  $("tab-alerts").textContent = `Alerts (${alertList.openTotal.toLocaleString()} open)`;
  $("tab-customers").textContent = `At-risk customers (${customerList.total.toLocaleString()})`;
}

// ---- Alerts ----

function alertFilter() {
  const status = $("alert-status").value;
  if (status === "OPEN") return { status: ["OPEN"], snoozed: false, ownerId: book };
  if (status === "ALL") return { ownerId: book };
  return { status: [status], ownerId: book };
}

async function loadOpenAlertTotal() {
  const asked = book;
  const { alerts } = await graphql(OPEN_ALERT_COUNT, { owner: asked });
  if (asked === book) alertList.openTotal = alerts.totalCount; // Else another book was picked meanwhile.
}

/** Whether a new (open, not snoozed) alert belongs in the list under its current filter. */
const listShowsNewAlerts = () => ["OPEN", "ALL"].includes($("alert-status").value);

function renderAlert(alert, { isNew }) {
  const name = customerName(alert.customer);
  const before = alert.previousChurnRisk === null ? "" : `, up from ${percent(alert.previousChurnRisk)}`;
  const meta = element(
    "p",
    { className: "meta" },
    `Churn risk ${percent(alert.churnRisk)}${before} · raised ${when(alert.raisedAt)}`,
  );
  const status = element("p", { className: "status", role: "status" });
  const card = element(
    "li",
    { className: isNew ? "card new" : "card", dataset: { level: alert.level, alertId: alert.id } },
    cardTitle(alert.customer, alert.level),
    meta,
    reasonList(alert.reasons),
  );
  if (alert.status === "OPEN") {
    const button = element(
      "button",
      { type: "button", "aria-label": `Acknowledge the alert about ${name}` },
      "Acknowledge",
    );
    button.addEventListener("click", () => acknowledge(alert.id, button, status));
    card.append(button);
  } else {
    status.textContent = alert.status === "ACKNOWLEDGED" ? "Acknowledged." : "Resolved.";
  }
  card.append(status);
  return card;
}

function addAlert(alert, { isNew }) {
  if (alertList.items.has(alert.id)) return false;
  alertList.items.set(alert.id, alert);
  const card = renderAlert(alert, { isNew });
  if (isNew) $("alerts").prepend(card);
  else $("alerts").append(card);
  return true;
}

function renderAlertPaging() {
  const shown = alertList.items.size;
  $("no-alerts").hidden = shown > 0;
  $("alerts-shown").textContent =
    shown > 0 ? `Showing ${shown.toLocaleString()} of ${count(alertList.total, "alert", "alerts")}.` : "";
  $("more-alerts").hidden = !alertList.hasNextPage;
}

async function loadAlerts({ more = false } = {}) {
  const asked = book;
  const { alerts: page } = await graphql(ALERTS, {
    filter: alertFilter(),
    after: more ? alertList.endCursor : null,
  });
  if (asked !== book) return page; // Another book was picked meanwhile: its own load shows it.
  if (!more) {
    alertList.items.clear();
    $("alerts").replaceChildren();
  }
  for (const { node } of page.edges) addAlert(node, { isNew: false });
  alertList.total = page.totalCount;
  alertList.endCursor = page.pageInfo.endCursor;
  alertList.hasNextPage = page.pageInfo.hasNextPage;
  renderAlertPaging();
  return page;
}

async function acknowledge(alertId, button, status) {
  button.disabled = true;
  try {
    const { acknowledgeAlert: result } = await graphql(ACKNOWLEDGE, { input: { alertId } });
    if (result.__typename !== "AlertPayload") throw new Error(result.message);
    const alert = alertList.items.get(alertId);
    if (alert.status === "OPEN") alertList.openTotal = Math.max(0, alertList.openTotal - 1);
    alert.status = result.alert.status;
    status.textContent = "Acknowledged: you are on it.";
    button.remove();
    renderTotals();
  } catch (error) {
    button.disabled = false;
    handleError(error);
  }
}

// ---- At-risk customers ----

function renderCustomer(customer) {
  const score = customer.score;
  return element(
    "li",
    { className: "card", dataset: { level: score.churnRiskLevel, customerId: customer.id } },
    cardTitle(customer, score.churnRiskLevel),
    element(
      "p",
      { className: "meta" },
      `Value at risk ${money(score.valueAtRisk)} · churn risk ${percent(score.churnRisk)} · lifetime value ${money(score.lifetimeValue)}`,
    ),
    reasonList(score.reasons),
  );
}

function renderCustomerPaging() {
  $("no-customers").hidden = customerList.shown > 0;
  $("customers-shown").textContent =
    customerList.shown > 0
      ? `Showing ${customerList.shown.toLocaleString()} of ${count(customerList.total, "customer", "customers")}.`
      : "";
  $("more-customers").hidden = !customerList.hasNextPage;
}

async function loadCustomers({ more = false } = {}) {
  const asked = book;
  const { customers: page } = await graphql(AT_RISK, {
    owner: asked,
    after: more ? customerList.endCursor : null,
  });
  if (asked !== book) return;
  if (!more) {
    $("customers").replaceChildren();
    customerList.shown = 0;
    customerList.pages = 0;
    $("refresh-customers").hidden = true;
  }
  for (const { node } of page.edges) $("customers").append(renderCustomer(node));
  customerList.shown += page.edges.length;
  customerList.pages += 1;
  customerList.total = page.totalCount;
  customerList.endCursor = page.pageInfo.endCursor;
  customerList.hasNextPage = page.pageInfo.hasNextPage;
  renderCustomerPaging();
  renderTotals();
}

let customersRefresh = null;

/**
 * One refresh for a burst of alerts (a replay after a reconnect can bring hundreds at once). A list
 * still on its first page is reloaded in place; one paged further offers a refresh instead of
 * moving under its reader.
 */
function refreshCustomersSoon() {
  if (customersRefresh) return;
  customersRefresh = setTimeout(() => {
    customersRefresh = null;
    if (customerList.pages <= 1) void guarded(() => loadCustomers());
    else $("refresh-customers").hidden = false;
  }, 250);
}

// ---- One customer ----

const effect = (contribution) =>
  contribution > 0 ? "raises the risk" : contribution < 0 ? "lowers the risk" : "no effect";

function fact(term, value) {
  return element("div", {}, element("dt", {}, term), element("dd", {}, value));
}

function renderHistory(page, { more }) {
  const body = $("history").tBodies[0];
  if (!more) body.replaceChildren();
  for (const { node } of page.edges) {
    body.append(
      element(
        "tr",
        {},
        element("td", {}, when(node.computedAt)),
        element("td", {}, percent(node.churnRisk)),
        element("td", {}, levelName(node.churnRiskLevel)),
        element("td", {}, node.health === null ? "–" : String(node.health)),
      ),
    );
  }
  $("history-count").textContent = `(${count(page.totalCount, "score", "scores")})`;
  $("more-history").hidden = !page.pageInfo.hasNextPage;
  customerView.historyCursor = page.pageInfo.endCursor;
}

function timelineText(node) {
  if (node.__typename === "Feedback") {
    return [`${node.measure} answer: ${node.score}`, node.comment ? `“${node.comment}”` : ""]
      .filter(Boolean)
      .join(" · ");
  }
  const parts = [`${levelName(node.channel)} · ${node.kind} (${node.direction.toLowerCase()})`];
  if (node.summary) parts.push(node.summary);
  if (node.amount) parts.push(money(node.amount));
  if (node.sentiment !== null) parts.push(`sentiment ${node.sentiment.toFixed(1)}`);
  return parts.join(" · ");
}

function renderTimeline(page, { more }) {
  const list = $("timeline");
  if (!more) list.replaceChildren();
  for (const { node } of page.edges) {
    const at = node.__typename === "Feedback" ? node.respondedAt : node.occurredAt;
    list.append(
      element(
        "li",
        {},
        element("time", { datetime: at }, when(at)),
        " ",
        element("span", {}, timelineText(node)),
      ),
    );
  }
  $("timeline-count").textContent = `(${count(page.totalCount, "entry", "entries")})`;
  $("more-timeline").hidden = !page.pageInfo.hasNextPage;
  customerView.timelineCursor = page.pageInfo.endCursor;
}

async function openCustomer(id) {
  $("lists").hidden = true;
  $("customer-view").hidden = false;
  $("customer-name").textContent = "Loading…";
  $("customer-score").replaceChildren();
  $("reasons").tBodies[0].replaceChildren();
  customerView = { id, historyCursor: null, timelineCursor: null };
  let customer;
  try {
    ({ customer } = await graphql(CUSTOMER, { id }));
  } catch (error) {
    $("customer-name").textContent = "This customer could not be loaded.";
    throw error;
  }
  if (customerView?.id !== id) return; // Another customer was opened meanwhile.
  if (!customer) {
    $("customer-name").textContent = "This customer is not one of yours, or no longer exists.";
    $("customer-name").focus();
    return;
  }
  $("customer-name").textContent = customerName(customer);
  const score = customer.score;
  if (score) {
    $("customer-score").append(
      fact("Churn risk", `${percent(score.churnRisk)} (${levelName(score.churnRiskLevel)})`),
      fact("Value at risk", score.valueAtRisk ? money(score.valueAtRisk) : "none: no lifetime value yet"),
      fact("Lifetime value", money(score.lifetimeValue)),
      fact("Health", score.health === null ? "–" : `${score.health} / 100`),
      fact("Scored", when(score.computedAt)),
    );
    for (const reason of score.reasons) {
      $("reasons").tBodies[0].append(
        element(
          "tr",
          {},
          element("th", { scope: "row" }, factorName(reason.factor)),
          element("td", {}, percent(reason.weight)),
          element("td", {}, effect(reason.contribution)),
          element("td", {}, reason.explanation),
        ),
      );
    }
  } else {
    $("customer-score").append(fact("Churn risk", "not scored yet"));
  }
  renderHistory(customer.scoreHistory, { more: false });
  renderTimeline(customer.timeline, { more: false });
  $("customer-name").focus();
}

function showLists() {
  customerView = null;
  $("customer-view").hidden = true;
  $("lists").hidden = false;
}

/** The view follows the address: #customer=<id> opens a customer, anything else shows the lists. */
function route() {
  if (!viewer) return;
  const match = /^#customer=(.+)$/.exec(location.hash);
  if (match) void guarded(() => openCustomer(decodeURIComponent(match[1])));
  else showLists();
}

// ---- Tabs (the WAI-ARIA tabs pattern: arrow keys move between them) ----

const PANEL_LOADERS = {
  "panel-speed": () => insights.loadResponseSpeed(),
  "panel-journeys": () => insights.loadJourneys(),
};

function selectTab(tab) {
  for (const other of document.querySelectorAll('[role="tab"]')) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !selected;
  }
  const panel = tab.getAttribute("aria-controls");
  const load = PANEL_LOADERS[panel];
  if (load && insights && !loadedPanels.has(panel)) {
    loadedPanels.add(panel);
    void guarded(load);
  }
}

for (const tab of document.querySelectorAll('[role="tab"]')) {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const tabs = [...document.querySelectorAll('[role="tab"]')];
    const next = tabs[(tabs.indexOf(tab) + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    selectTab(next);
    next.focus();
  });
}

// ---- Live alerts ----

function connectLive() {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  const current = new WebSocket(url, "graphql-transport-ws");
  socket = current;
  current.addEventListener("open", () => {
    current.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${apiKey}` } }));
  });
  current.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "connection_ack") {
      reconnects = 0;
      setConnection("live", "Live: new alerts appear as they are raised.");
      current.send(
        JSON.stringify({
          id: "alerts",
          type: "subscribe",
          // Admins and analysts hear every book's alerts, so that another book can be picked.
          payload: {
            query: LIVE_ALERTS,
            variables: { since: lastCursor, scope: seesEveryone() ? "ALL" : "MINE" },
          },
        }),
      );
    } else if (message.type === "next" && message.payload.errors) {
      // The subscription was refused or ended with an error: this page is no longer live.
      setConnection("stopped", "Not live: new alerts will not appear. Reload the page to try again.");
      showProblem(message.payload.errors.map((error) => error.message).join(" "));
    } else if (message.type === "next") {
      const { cursor, alert, digest } = message.payload.data.churnRiskAlerts;
      lastCursor = cursor;
      if (alert) receiveLiveAlert(alert);
      // A digest stands for many alerts raised at once (a scheduled rescore): each is listed.
      if (digest) receiveLiveDigest(digest);
    } else if (message.type === "complete") {
      setConnection("stopped", "Not live: the server ended the alert stream. Reload the page to try again.");
    } else if (message.type === "ping") {
      current.send(JSON.stringify({ type: "pong" }));
    } else if (message.type === "error") {
      showProblem(message.payload.map((error) => error.message).join(" "));
    }
  });
  current.addEventListener("close", (event) => {
    if (socket !== current) return; // Signed out, or replaced.
    if (event.code === 4401) {
      signOut(event.reason);
      return;
    }
    const delay = RECONNECT_DELAYS_MS[Math.min(reconnects, RECONNECT_DELAYS_MS.length - 1)];
    reconnects += 1;
    setConnection(
      "reconnecting",
      `Connection lost: reconnecting in ${delay / 1000} s. No alert will be missed.`,
    );
    setTimeout(() => {
      if (socket === current) connectLive();
    }, delay);
  });
}

const seenLive = new Set();

function receiveLiveDigest(digest) {
  for (const edge of digest.alerts.edges) receiveLiveAlert(edge.node);
  if (digest.alertCount > digest.alerts.edges.length) {
    // More than the digest's first page: the list and its totals are read again from the server.
    loadAlerts()
      .then(loadOpenAlertTotal)
      .then(renderTotals)
      .catch((error) => showProblem(error.message));
  }
}

function receiveLiveAlert(alert) {
  // A replay after a reconnect may repeat alerts already counted or listed.
  if (seenLive.has(alert.id) || alertList.items.has(alert.id)) return;
  seenLive.add(alert.id);
  // An admin hears every alert; the lists show one book.
  if (book && alert.customer.owner?.id !== book) return;
  alertList.openTotal += 1;
  if (listShowsNewAlerts() && addAlert(alert, { isNew: true })) alertList.total += 1;
  renderAlertPaging();
  renderTotals();
  refreshCustomersSoon(); // The alert's customer has just joined (or moved up) the at-risk list.
}

// ---- Whose customers ----

const seesEveryone = () => viewer.role === "ADMIN" || viewer.role === "ANALYST";

/** An admin's choice of books: everyone's, then each principal who owns customers, by name. */
async function loadBookChoices() {
  const owners = [];
  let after = null;
  do {
    const { principals } = await graphql(OWNERS, { after });
    for (const { node } of principals.edges) {
      if (node.ownedCustomerCount > 0) owners.push(node);
      ownerNames.set(node.id, node.name);
    }
    after = principals.pageInfo.hasNextPage ? principals.pageInfo.endCursor : null;
  } while (after);
  owners.sort((a, b) => a.name.localeCompare(b.name));
  $("book").replaceChildren(
    element("option", { value: "" }, "Everyone"),
    ...owners.map((owner) =>
      element(
        "option",
        { value: owner.id },
        `${owner.name} (${count(owner.ownedCustomerCount, "customer", "customers")})`,
      ),
    ),
  );
  $("book").value = book ?? "";
  $("book-filter").hidden = false;
}

/** The panels read the chosen book; each loads again the next time its tab is open. */
function resetInsights() {
  const whose =
    book === null
      ? "all customers"
      : book === viewer.principal.id
        ? "your customers"
        : `${ownerNames.get(book)}'s customers`;
  insights = createInsights({ graphql, element, $, ownerId: book, whose, customerHref });
  loadedPanels.clear();
}

/** Shows another book: both lists, the totals, and the open panel, read again. */
async function chooseBook(owner) {
  book = owner;
  resetInsights();
  await Promise.all([loadAlerts(), loadOpenAlertTotal(), loadCustomers()]);
  renderTotals();
  const open = document.querySelector('[role="tab"][aria-selected="true"]');
  if (open) selectTab(open);
}

// ---- Signing in and out ----

async function start() {
  showProblem("");
  try {
    ({ viewer } = await graphql(VIEWER));
    book = seesEveryone() ? null : viewer.principal.id;
    $("book-filter").hidden = true;
    if (viewer.role === "ADMIN") await loadBookChoices();
    resetInsights();
    const [page] = await Promise.all([loadAlerts(), loadOpenAlertTotal(), loadCustomers()]);
    renderTotals();
    $("sign-in").hidden = true;
    $("signed-in").hidden = false;
    $("sign-out").hidden = false;
    $("who").hidden = false;
    $("who").textContent = `Signed in as ${viewer.principal.name}`;
    lastCursor = page.streamCursor;
    connectLive();
    route();
  } catch (error) {
    handleError(error);
  }
}

async function guarded(action) {
  try {
    showProblem("");
    await action();
  } catch (error) {
    handleError(error);
  }
}

function handleError(error) {
  if (error instanceof SignedOut) signOut(error.message);
  else showProblem(error.message);
}

function signOut(reason = "") {
  sessionStorage.removeItem(KEY_STORAGE);
  apiKey = null;
  viewer = null;
  const closing = socket;
  socket = null;
  closing?.close(1000, "Signed out");
  $("signed-in").hidden = true;
  $("sign-out").hidden = true;
  $("who").hidden = true;
  $("connection").hidden = true;
  $("sign-in").hidden = false;
  showProblem(reason);
  $("api-key").focus();
}

async function loadMore(button, load) {
  button.disabled = true;
  await guarded(load);
  button.disabled = false;
}

$("sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  apiKey = $("api-key").value.trim();
  sessionStorage.setItem(KEY_STORAGE, apiKey);
  $("api-key").value = "";
  void start();
});
$("sign-out").addEventListener("click", () => signOut());
$("alert-status").addEventListener("change", () => void guarded(() => loadAlerts()));
$("book").addEventListener("change", () => void guarded(() => chooseBook($("book").value || null)));
$("speed-period").addEventListener("change", () => void guarded(() => insights.loadResponseSpeed()));
$("journey-choice").addEventListener("change", () => void guarded(() => insights.loadJourneyMap()));
$("more-alerts").addEventListener("click", (event) =>
  loadMore(event.currentTarget, () => loadAlerts({ more: true })),
);
$("more-customers").addEventListener("click", (event) =>
  loadMore(event.currentTarget, () => loadCustomers({ more: true })),
);
$("refresh-customers").addEventListener("click", () => void guarded(() => loadCustomers()));
$("more-history").addEventListener("click", (event) =>
  loadMore(event.currentTarget, async () => {
    const { id, historyCursor } = customerView;
    const { customer } = await graphql(HISTORY_PAGE, { id, after: historyCursor });
    if (customerView?.id === id && customer) renderHistory(customer.scoreHistory, { more: true });
  }),
);
$("more-timeline").addEventListener("click", (event) =>
  loadMore(event.currentTarget, async () => {
    const { id, timelineCursor } = customerView;
    const { customer } = await graphql(TIMELINE_PAGE, { id, after: timelineCursor });
    if (customerView?.id === id && customer) renderTimeline(customer.timeline, { more: true });
  }),
);
$("back").addEventListener("click", () => {
  // Back through the browser's history when the lists were the page before; otherwise to the lists.
  if (history.state?.fromLists) history.back();
  else location.hash = "";
});
window.addEventListener("hashchange", route);
// Opening a customer from a list remembers that going back returns there.
document.addEventListener("click", (event) => {
  const link = event.target.closest?.('a[href^="#customer="]');
  if (!link) return;
  event.preventDefault();
  history.pushState({ fromLists: true }, "", link.getAttribute("href"));
  route();
});
if (apiKey) void start();
