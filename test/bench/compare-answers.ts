// Checks, before anything is measured, that both servers answer every benchmarked request without
// errors and with the same data: a deep comparison of the hub's `data` with the baseline's (or the
// PostGraphile peer's, mapped onto the hub's shape), reporting
// the first path where they differ, plus the key figures printed for the reader.
export interface Answer {
  status: number;
  json: { data?: unknown; errors?: unknown };
}

export async function postGraphql(url: string, apiKey: string, body: string): Promise<Answer> {
  const response = await fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body,
  });
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) };
  } catch {
    throw new Error(`${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
}

/** The first path where two JSON values differ (object key order ignored), or null when equal. */
export function firstDifference(left: unknown, right: unknown, path = "data"): string | null {
  if (Object.is(left, right)) return null;
  if (Array.isArray(left) && Array.isArray(right)) {
    if (left.length !== right.length) return `${path}: ${left.length} items vs ${right.length}`;
    for (const [index, item] of left.entries()) {
      const difference = firstDifference(item, right[index], `${path}[${index}]`);
      if (difference) return difference;
    }
    return null;
  }
  if (isObject(left) && isObject(right)) {
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    for (const key of keys) {
      if (!(key in left) || !(key in right)) return `${path}.${key}: present on one side only`;
      const difference = firstDifference(left[key], right[key], `${path}.${key}`);
      if (difference) return difference;
    }
    return null;
  }
  return `${path}: ${JSON.stringify(left)} vs ${JSON.stringify(right)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Fails loudly unless the answer is 200, error-free and has data. */
export function assertAnswered(what: string, name: string, answer: Answer): void {
  if (answer.status !== 200 || answer.json.errors || answer.json.data == null) {
    throw new Error(
      `${what}: the ${name} answered ${answer.status}: ${JSON.stringify(answer.json).slice(0, 800)}`,
    );
  }
}

/** Fails loudly unless both answers are 200, error-free and equal. */
export function assertSameAnswer(what: string, hub: Answer, other: Answer, otherName = "baseline"): void {
  assertAnswered(what, "hub", hub);
  assertAnswered(what, otherName, other);
  const difference = firstDifference(hub.json.data, other.json.data);
  if (difference) throw new Error(`${what}: the hub and the ${otherName} disagree at ${difference}`);
}
