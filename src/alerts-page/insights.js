// The page's two CX panels for the customers the page shows (a manager's own book, or the one an admin
// picked, or everyone's): response speed (how fast their
// messages are answered, against the policy's targets, with the conversations waiting longest) and
// the journey map (per stage: who reached it, drop-off, time in stage, and how customers felt there,
// drawn as the emotion curve). Both read the same GraphQL a frontend team would chart
// (schema/operations/response-speed.graphql, journey-map.graphql); the server already limits an
// account manager to their own book, and `ownerId` (null: everyone's) narrows an admin's.
// Everything shown is set with textContent or SVG attributes: nothing a customer wrote becomes markup.

const SPEED_FIGURES = `openings conversations reopenings resolved waiting
  firstResponse { ...Stats } nextResponse { ...Stats } resolution { ...Stats }`;
const RESPONSE_SPEED = `query ResponseSpeedPanel($filter: ResponseSpeedFilter) {
  responseSpeed(filter: $filter, groupBy: [CHANNEL]) {
    asOf
    overall { ${SPEED_FIGURES} }
    groups { channel figures { ${SPEED_FIGURES} } }
  }
  conversationsWaiting(filter: $filter, overdueOnly: false, first: 10) {
    edges { node { conversationId channel waitingSince waitingSeconds overdueSeconds customer { id displayName } } }
  }
}
fragment Stats on ResponseTimeStats { count conversations p50Seconds p90Seconds metTarget missedTarget targetMetShare }`;
const JOURNEYS = `query JourneyChoices { journeys { id name active } }`;
const JOURNEY_MAP = `query JourneyMapPanel($journeyId: ID!, $filter: JourneyMapFilter) {
  journeyMap(journeyId: $journeyId, filter: $filter) {
    customers asOf
    stages {
      key name reached dropOff dropOffShare movedOn medianSecondsInStage stillIn
      sentimentMean sentimentInteractions
      nps { responses score } csat { responses score }
    }
  }
}`;

const SVG = "http://www.w3.org/2000/svg";

/** A duration as a person says it: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

const plural = (n, one, many) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
const share = (value) => (value === null || value === undefined ? "–" : `${Math.round(value * 100)}%`);
const channelName = (channel) => channel.charAt(0) + channel.slice(1).toLowerCase();

/** The span of the last `days` days up to now, or every time when days is "all". */
function periodOf(days, now = Date.now()) {
  if (days === "all") return undefined;
  return { from: new Date(now - Number(days) * 86_400_000).toISOString() };
}

/** `whose`: the customers the panels cover, as a sentence names them ("your customers"). */
export function createInsights({ graphql, element, $, ownerId, whose, customerHref }) {
  const row = (cells, header = false) =>
    element(
      "tr",
      {},
      ...cells.map((cell, index) =>
        index === 0 && !header
          ? element("th", { scope: "row" }, cell)
          : element(header ? "th" : "td", header ? { scope: "col" } : {}, cell),
      ),
    );

  function statsRow(name, stats) {
    const met = stats.metTarget + stats.missedTarget;
    return row([
      name,
      duration(stats.p50Seconds),
      duration(stats.p90Seconds),
      met > 0 ? `${share(stats.targetMetShare)} (${stats.metTarget} of ${met})` : "–",
      stats.count.toLocaleString(),
    ]);
  }

  function renderSpeed({ responseSpeed, conversationsWaiting }) {
    const { overall } = responseSpeed;
    $("speed-facts").replaceChildren(
      ...[
        ["Conversations", overall.conversations],
        ["Opened or reopened", overall.openings],
        ["Resolved", overall.resolved],
        ["Waiting for us now", overall.waiting],
      ].map(([term, value]) =>
        element("div", {}, element("dt", {}, term), element("dd", {}, value.toLocaleString())),
      ),
    );
    $("speed-table").tBodies[0].replaceChildren(
      statsRow("First response", overall.firstResponse),
      statsRow("Next responses", overall.nextResponse),
      statsRow("Resolution", overall.resolution),
    );
    $("speed-channels").tBodies[0].replaceChildren(
      ...responseSpeed.groups.map((group) =>
        row([
          channelName(group.channel),
          duration(group.figures.firstResponse.p50Seconds),
          duration(group.figures.firstResponse.p90Seconds),
          share(group.figures.firstResponse.targetMetShare),
          group.figures.conversations.toLocaleString(),
        ]),
      ),
    );
    $("speed-no-channels").hidden = responseSpeed.groups.length > 0;
    const waiting = conversationsWaiting.edges.map(({ node }) => {
      const overdue = node.overdueSeconds > 0 ? ` · ${duration(node.overdueSeconds)} past the target` : "";
      return element(
        "li",
        { dataset: { overdue: String(node.overdueSeconds > 0) } },
        element(
          "a",
          { href: customerHref(node.customer.id) },
          node.customer.displayName ?? "A customer without a name",
        ),
        ` · ${channelName(node.channel)} · waiting ${duration(node.waitingSeconds)}${overdue}`,
      );
    });
    $("speed-waiting").replaceChildren(...waiting);
    $("speed-none-waiting").hidden = waiting.length > 0;
  }

  async function loadResponseSpeed() {
    const chosen = $("speed-period").value;
    const answer = await graphql(RESPONSE_SPEED, { filter: { ownerId, period: periodOf(chosen) } });
    // A slower answer for a period no longer chosen is dropped, not drawn over the newer one.
    if ($("speed-period").value === chosen) renderSpeed(answer);
  }

  /** The emotion curve: mean sentiment (−1 to 1) per stage, a point per stage with interactions. */
  function emotionCurve(stages) {
    const width = 600;
    const height = 160;
    const pad = 24;
    const x = (index) =>
      pad + (stages.length === 1 ? (width - 2 * pad) / 2 : (index * (width - 2 * pad)) / (stages.length - 1));
    const y = (sentiment) => pad + ((1 - sentiment) / 2) * (height - 2 * pad);
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("role", "img");
    const felt = stages.filter((stage) => stage.sentimentMean !== null);
    svg.setAttribute(
      "aria-label",
      felt.length === 0
        ? "Emotion curve: no messages with a sentiment in any stage yet."
        : `Emotion curve: ${felt.map((stage) => `${stage.name} ${stage.sentimentMean.toFixed(2)}`).join(", ")}.`,
    );
    const line = (x1, y1, x2, y2, className) => {
      const node = document.createElementNS(SVG, "line");
      for (const [name, value] of Object.entries({ x1, y1, x2, y2, class: className }))
        node.setAttribute(name, String(value));
      return node;
    };
    svg.append(line(pad, y(0), width - pad, y(0), "neutral"));
    for (const [value, text] of [
      [1, "+1"],
      [0, "0"],
      [-1, "−1"],
    ]) {
      const label = document.createElementNS(SVG, "text");
      label.setAttribute("x", "2");
      label.setAttribute("y", String(y(value) + 4));
      label.textContent = text;
      svg.append(label);
    }
    const points = stages.flatMap((stage, index) =>
      stage.sentimentMean === null ? [] : [[x(index), y(stage.sentimentMean), stage]],
    );
    if (points.length > 1) {
      const path = document.createElementNS(SVG, "polyline");
      path.setAttribute("points", points.map(([px, py]) => `${px},${py}`).join(" "));
      path.setAttribute("class", "curve");
      svg.append(path);
    }
    for (const [px, py, stage] of points) {
      const dot = document.createElementNS(SVG, "circle");
      dot.setAttribute("cx", String(px));
      dot.setAttribute("cy", String(py));
      dot.setAttribute("r", "5");
      dot.setAttribute("class", stage.sentimentMean < 0 ? "dot negative" : "dot");
      const title = document.createElementNS(SVG, "title");
      title.textContent = `${stage.name}: ${stage.sentimentMean.toFixed(2)} (${plural(stage.sentimentInteractions, "message", "messages")})`;
      dot.append(title);
      svg.append(dot);
    }
    stages.forEach((stage, index) => {
      const label = document.createElementNS(SVG, "text");
      label.setAttribute("x", String(x(index)));
      label.setAttribute("y", String(height - 4));
      label.setAttribute("text-anchor", "middle");
      label.textContent = stage.name;
      svg.append(label);
    });
    return svg;
  }

  function renderJourneyMap(map) {
    $("journey-customers").textContent =
      `${map.customers.toLocaleString()} of ${whose} entered this journey.`;
    $("journey-stages").tBodies[0].replaceChildren(
      ...map.stages.map((stage) =>
        row([
          stage.name,
          stage.reached.toLocaleString(),
          stage.dropOffShare === null
            ? "–"
            : `${stage.dropOff.toLocaleString()} (${share(stage.dropOffShare)})`,
          stage.movedOn > 0 ? duration(stage.medianSecondsInStage) : "–",
          stage.sentimentMean === null
            ? "–"
            : `${stage.sentimentMean.toFixed(2)} (${plural(stage.sentimentInteractions, "message", "messages")})`,
          stage.nps.responses > 0
            ? `${Math.round(stage.nps.score)} (${plural(stage.nps.responses, "answer", "answers")})`
            : "–",
          stage.csat.responses > 0
            ? `${Math.round(stage.csat.score)}% satisfied (${plural(stage.csat.responses, "answer", "answers")})`
            : "–",
        ]),
      ),
    );
    $("journey-curve").replaceChildren(emotionCurve(map.stages));
  }

  async function loadJourneyMap() {
    const journeyId = $("journey-choice").value;
    $("journey-map").hidden = !journeyId;
    if (!journeyId) return;
    const { journeyMap } = await graphql(JOURNEY_MAP, { journeyId, filter: { ownerId } });
    if ($("journey-choice").value === journeyId) renderJourneyMap(journeyMap);
  }

  async function loadJourneys() {
    const { journeys } = await graphql(JOURNEYS);
    const choice = $("journey-choice");
    const chosen = choice.value;
    choice.replaceChildren(
      ...journeys
        .filter((journey) => journey.active)
        .map((journey) => element("option", { value: journey.id }, journey.name)),
    );
    if (chosen && journeys.some((journey) => journey.id === chosen)) choice.value = chosen;
    $("no-journeys").hidden = choice.options.length > 0;
    await loadJourneyMap();
  }

  return { loadResponseSpeed, loadJourneys, loadJourneyMap };
}
