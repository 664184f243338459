// The alerts page's script: signs in with an API key (kept in sessionStorage, this tab only), loads
// the viewer's open alerts and at-risk customers over GraphQL, then follows new alerts live over a
// WebSocket speaking the graphql-transport-ws protocol. It subscribes with `since:` the cursor the
// alert list came with, and after a dropped connection with the last cursor it received, so no alert
// raised in between is missed. Everything shown is set with textContent: nothing a customer wrote
// can become markup.

const KEY_STORAGE = "cxhub.apiKey";
const RECONNECT_DELAYS_MS = [500, 1000, 2000, 5000, 10000];

const ALERT_FIELDS = `
  id level churnRisk previousChurnRisk status raisedAt
  reasons { factor weight explanation }
  customer { id displayName }`;

const VIEWER = `query Viewer { viewer { role principal { id name } } }`;
const OPEN_ALERTS = `query OpenAlerts($owner: ID) {
  alerts(filter: { status: [OPEN], snoozed: false, ownerId: $owner }, first: 50) {
    totalCount streamCursor edges { node { ${ALERT_FIELDS} } }
  }
}`;
const AT_RISK = `query AtRisk($owner: ID) {
  customers(filter: { churnRiskLevels: [HIGH, CRITICAL], ownerId: $owner },
            orderBy: { field: CHURN_RISK, direction: DESC }, first: 50) {
    edges { node { id displayName score { churnRisk churnRiskLevel reasons { factor weight explanation } } } }
  }
}`;
const ACKNOWLEDGE = `mutation Acknowledge($input: AcknowledgeAlertInput!) {
  acknowledgeAlert(input: $input) {
    __typename
    ... on AlertPayload { alert { id status } }
    ... on UserError { message }
  }
}`;
const LIVE_ALERTS = `subscription LiveAlerts($since: String) {
  churnRiskAlerts(since: $since) { cursor alert { ${ALERT_FIELDS} } }
}`;

const $ = (id) => document.getElementById(id);
let apiKey = sessionStorage.getItem(KEY_STORAGE);
let viewer = null;
let socket = null;
let lastCursor = null;
let reconnects = 0;
const alerts = new Map();

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

function renderAlert(alert, { isNew }) {
  const name = alert.customer.displayName ?? "A customer without a name";
  const title = element(
    "h3",
    {},
    element("span", {}, name),
    element("span", { className: "level", dataset: { level: alert.level } }, levelName(alert.level)),
  );
  const before = alert.previousChurnRisk === null ? "" : `, up from ${percent(alert.previousChurnRisk)}`;
  const raised = new Date(alert.raisedAt).toLocaleString();
  const meta = element(
    "p",
    { className: "meta" },
    `Churn risk ${percent(alert.churnRisk)}${before} · raised ${raised}`,
  );
  const status = element("p", { className: "status", role: "status" });
  const button = element(
    "button",
    { type: "button", "aria-label": `Acknowledge the alert about ${name}` },
    "Acknowledge",
  );
  button.addEventListener("click", () => acknowledge(alert.id, button, status));
  const card = element(
    "li",
    { className: isNew ? "card new" : "card", dataset: { level: alert.level, alertId: alert.id } },
    title,
    meta,
    reasonList(alert.reasons),
    button,
    status,
  );
  return card;
}

function addAlert(alert, { isNew }) {
  if (alerts.has(alert.id)) return;
  alerts.set(alert.id, alert);
  const card = renderAlert(alert, { isNew });
  if (isNew) $("alerts").prepend(card);
  else $("alerts").append(card);
  updateAlertCount();
}

function updateAlertCount() {
  const open = [...alerts.values()].filter((alert) => alert.status === "OPEN").length;
  $("alert-count").textContent = `(${open})`;
  $("no-alerts").hidden = alerts.size > 0;
}

async function acknowledge(alertId, button, status) {
  button.disabled = true;
  try {
    const { acknowledgeAlert: result } = await graphql(ACKNOWLEDGE, { input: { alertId } });
    if (result.__typename !== "AlertPayload") throw new Error(result.message);
    alerts.get(alertId).status = result.alert.status;
    status.textContent = "Acknowledged: you are on it.";
    button.remove();
    updateAlertCount();
  } catch (error) {
    button.disabled = false;
    handleError(error);
  }
}

function renderCustomers(customers) {
  const list = $("customers");
  list.replaceChildren();
  for (const customer of customers) {
    const score = customer.score;
    const name = customer.displayName ?? "A customer without a name";
    list.append(
      element(
        "li",
        { className: "card", dataset: { level: score.churnRiskLevel } },
        element(
          "h3",
          {},
          element("span", {}, name),
          element(
            "span",
            { className: "level", dataset: { level: score.churnRiskLevel } },
            levelName(score.churnRiskLevel),
          ),
        ),
        element("p", { className: "meta" }, `Churn risk ${percent(score.churnRisk)}`),
        reasonList(score.reasons),
      ),
    );
  }
  $("no-customers").hidden = customers.length > 0;
}

let customersRefresh = null;

/** One refresh for a burst of alerts (a replay after a reconnect can bring hundreds at once). */
function refreshCustomersSoon() {
  if (customersRefresh) return;
  customersRefresh = setTimeout(() => {
    customersRefresh = null;
    void refreshCustomers();
  }, 250);
}

async function refreshCustomers() {
  try {
    const { customers } = await graphql(AT_RISK, { owner: viewer.principal.id });
    renderCustomers(customers.edges.map((edge) => edge.node));
  } catch (error) {
    handleError(error);
  }
}

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
          payload: { query: LIVE_ALERTS, variables: { since: lastCursor } },
        }),
      );
    } else if (message.type === "next" && message.payload.errors) {
      // The subscription was refused or ended with an error: this page is no longer live.
      setConnection("stopped", "Not live: new alerts will not appear. Reload the page to try again.");
      showProblem(message.payload.errors.map((error) => error.message).join(" "));
    } else if (message.type === "next") {
      const { cursor, alert } = message.payload.data.churnRiskAlerts;
      lastCursor = cursor;
      addAlert(alert, { isNew: true });
      refreshCustomersSoon(); // The alert's customer has just joined (or moved up) the at-risk list.
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

async function start() {
  showProblem("");
  try {
    ({ viewer } = await graphql(VIEWER));
    const owner = viewer.principal.id;
    const [{ alerts: page }, { customers }] = await Promise.all([
      graphql(OPEN_ALERTS, { owner }),
      graphql(AT_RISK, { owner }),
    ]);
    $("sign-in").hidden = true;
    $("signed-in").hidden = false;
    $("sign-out").hidden = false;
    $("who").hidden = false;
    $("who").textContent = `Signed in as ${viewer.principal.name}`;
    alerts.clear();
    $("alerts").replaceChildren();
    for (const { node } of page.edges) addAlert(node, { isNew: false });
    updateAlertCount();
    renderCustomers(customers.edges.map((edge) => edge.node));
    lastCursor = page.streamCursor;
    connectLive();
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

$("sign-in").addEventListener("submit", (event) => {
  event.preventDefault();
  apiKey = $("api-key").value.trim();
  sessionStorage.setItem(KEY_STORAGE, apiKey);
  $("api-key").value = "";
  void start();
});
$("sign-out").addEventListener("click", () => signOut());
if (apiKey) void start();
