import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StartupError } from "../../src/errors.ts";
import {
  DEFAULT_SCORING_POLICY,
  loadScoringPolicy,
  type ScoringPolicy,
  scoringPolicySchema,
} from "../../src/policy/scoring-policy.ts";

const scratch = await mkdtemp(path.join(tmpdir(), "cxhub-scoring-policy-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

let files = 0;
/** Writes a policy file (JSON of `content`, or `content` itself when it is a string) and returns its path. */
async function policyFile(content: unknown): Promise<string> {
  const file = path.join(scratch, `policy-${++files}.json`);
  await writeFile(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return file;
}

/** The StartupError that loading `file` fails with. */
async function loadError(file: string): Promise<StartupError> {
  const error = await loadScoringPolicy(file).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StartupError);
  return error as StartupError;
}

const WEIGHT_NAMES = Object.keys(DEFAULT_SCORING_POLICY.weights) as (keyof ScoringPolicy["weights"])[];

describe("the default scoring policy", () => {
  it("documents every default", () => {
    expect(DEFAULT_SCORING_POLICY).toEqual({
      purchaseKinds: ["order.placed"],
      currency: "USD",
      churnHorizonDays: 90,
      purchaseModel: "MBG",
      forecastMonths: 12,
      annualDiscountRate: 0.1,
      levels: { medium: 0.4, high: 0.6, critical: 0.8 },
      weights: {
        purchasePattern: 1,
        engagementDrop: 1.5,
        sentiment: 1.5,
        nps: 1.2,
        csat: 0.8,
        ces: 0.8,
        unansweredMessages: 1,
      },
      windows: {
        recentActivityDays: 30,
        baselineActivityDays: 180,
        minBaselineInteractions: 3,
        sentimentDays: 90,
        feedbackDays: 180,
        unansweredDays: 30,
        replyWithinHours: 48,
        unansweredSaturation: 3,
      },
      alerts: {
        thresholds: {},
        hysteresis: 0.05,
        coolDownMinutes: 1440,
        alertOnFirstScore: false,
        digestAbove: 10,
      },
      schedule: {
        rescore: "0 2 * * *",
        segmentCounts: "15 0 * * *",
        refit: "0 3 * * 0",
        timeZone: "UTC",
        sliceSize: 5000,
        sliceConcurrency: 2,
        tickSeconds: 15,
      },
      responseSpeed: {
        defaultTargets: { firstResponseMinutes: 240, nextResponseMinutes: 480, resolutionMinutes: 2880 },
        channels: {},
        resolveAfterQuietHours: 72,
        businessHours: {
          timeZone: "UTC",
          monday: [{ from: "09:00", to: "17:00" }],
          tuesday: [{ from: "09:00", to: "17:00" }],
          wednesday: [{ from: "09:00", to: "17:00" }],
          thursday: [{ from: "09:00", to: "17:00" }],
          friday: [{ from: "09:00", to: "17:00" }],
          saturday: [],
          sunday: [],
        },
      },
    });
  });

  it("refuses a schedule that is not a cron expression or a time zone, and takes null as never", () => {
    const issue = (schedule: object) =>
      scoringPolicySchema.safeParse({ schedule }).error?.issues.map((i) => [i.path.join("."), i.message])[0];
    expect(issue({ rescore: "daily" })).toEqual([
      "schedule.rescore",
      'is a cron expression of five fields, such as "0 2 * * *" (02:00 every day), or null',
    ]);
    expect(issue({ refit: "0 3 * * 9" })?.[0]).toBe("schedule.refit");
    expect(issue({ timeZone: "Mars/Olympus" })?.[0]).toBe("schedule.timeZone");
    expect(scoringPolicySchema.parse({ schedule: { refit: null } }).schedule.refit).toBeNull();
  });

  it("is what the hub uses without a policy file", async () => {
    await expect(loadScoringPolicy(undefined)).resolves.toBe(DEFAULT_SCORING_POLICY);
    await expect(loadScoringPolicy("")).resolves.toBe(DEFAULT_SCORING_POLICY);
  });

  it("is what an empty object parses to", () => {
    expect(scoringPolicySchema.parse({})).toEqual(DEFAULT_SCORING_POLICY);
  });
});

describe("loadScoringPolicy", () => {
  it("reads a file of defaults only as the defaults", async () => {
    await expect(loadScoringPolicy(await policyFile({}))).resolves.toEqual(DEFAULT_SCORING_POLICY);
  });

  it("overrides the settings a file names and keeps every other default, also inside groups", async () => {
    const file = await policyFile({
      purchaseKinds: ["order.placed", "subscription.renewed"],
      churnHorizonDays: 60,
      levels: { critical: 0.9 },
      weights: { nps: 2, sentiment: 0 },
      windows: { unansweredSaturation: 5, replyWithinHours: 24 },
    });
    const defaults = DEFAULT_SCORING_POLICY;
    await expect(loadScoringPolicy(file)).resolves.toEqual({
      ...defaults,
      purchaseKinds: ["order.placed", "subscription.renewed"],
      churnHorizonDays: 60,
      levels: { medium: 0.4, high: 0.6, critical: 0.9 },
      weights: { ...defaults.weights, nps: 2, sentiment: 0 },
      windows: { ...defaults.windows, unansweredSaturation: 5, replyWithinHours: 24 },
    });
  });

  it("does not change the defaults when a file overrides them", async () => {
    await loadScoringPolicy(await policyFile({ weights: { nps: 3 }, levels: { medium: 0.3 } }));
    expect(DEFAULT_SCORING_POLICY.weights.nps).toBe(1.2);
    expect(DEFAULT_SCORING_POLICY.levels.medium).toBe(0.4);
    expect(scoringPolicySchema.parse({}).weights.nps).toBe(1.2);
  });

  it("refuses a setting it does not know, naming the file and the key", async () => {
    const file = await policyFile({ churnHorizonDays: 60, churnHorizon: 60 });
    const error = await loadError(file);
    expect(error.name).toBe("StartupError");
    expect(error.message).toBe(`The scoring policy ${file}: Unrecognized key: "churnHorizon".`);
  });

  // A misspelt weight ("NPS", "unanswered") must not be dropped in silence with the default in force.
  it.for([
    ["weights", { weights: { NPS: 3 } }],
    ["windows", { windows: { recentDays: 14 } }],
    ["levels", { levels: { low: 0.2 } }],
  ] as const)("refuses an unknown key inside %s", async ([, content]) => {
    const error = await loadError(await policyFile(content));
    expect(error.message).toMatch(/Unrecognized key/);
  });

  it("refuses levels that do not rise, naming levels", async () => {
    // medium 0.7 over the default high 0.6.
    const file = await policyFile({ levels: { medium: 0.7 } });
    const error = await loadError(file);
    expect(error.message).toMatch(/^The scoring policy .+: levels /);
    expect(error.message).toContain(file);
    expect(error.message).toContain("levels must rise: medium < high < critical");
    expect(error.message).not.toContain("levels levels");
  });

  it.for([
    { medium: 0.5, high: 0.5, critical: 0.8 },
    { medium: 0.4, high: 0.8, critical: 0.8 },
    { medium: 0.9, high: 0.6, critical: 0.3 },
  ])("refuses levels %o: each must be above the one before", (levels) => {
    const parsed = scoringPolicySchema.safeParse({ levels });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ["levels"],
      message: "must rise: medium < high < critical",
    });
  });

  it.for([0, 1, -0.1, 1.5])("refuses a level of %s: levels lie between 0 and 1", async (critical) => {
    const error = await loadError(await policyFile({ levels: { critical } }));
    expect(error.message).toMatch(/: levels\.critical /);
  });

  it("refuses a file that is not JSON, naming the file and the parser's complaint", async () => {
    const file = await policyFile('{ "weights": { "nps": 2, } }');
    const error = await loadError(file);
    expect(error.message).toMatch(/^The scoring policy .+ is not valid JSON: .+\.$/);
    expect(error.message.startsWith(`The scoring policy ${file} is not valid JSON: `)).toBe(true);
  });

  it("refuses a file that is missing, naming the file and the error code", async () => {
    const file = path.join(scratch, "no-such-policy.json");
    const error = await loadError(file);
    expect(error.message).toBe(`CXHUB_SCORING_POLICY names ${file}, which cannot be read (ENOENT).`);
  });

  it("refuses a folder in place of a file", async () => {
    const error = await loadError(scratch);
    expect(error.message).toBe(`CXHUB_SCORING_POLICY names ${scratch}, which cannot be read (EISDIR).`);
  });

  it.for(WEIGHT_NAMES)("refuses weights.%s above 10, naming the setting", async (name) => {
    const file = await policyFile({ weights: { [name]: 11 } });
    const error = await loadError(file);
    expect(error.message).toBe(
      `The scoring policy ${file}: weights.${name} Too big: expected number to be <=10.`,
    );
  });

  it.for(WEIGHT_NAMES)("refuses a negative weights.%s, saying what a weight may be", async (name) => {
    const file = await policyFile({ weights: { [name]: -0.5 } });
    const error = await loadError(file);
    expect(error.message).toBe(
      `The scoring policy ${file}: weights.${name} a weight is 0 (ignore the signal) or more.`,
    );
  });

  it("accepts the extreme weights 0 and 10", async () => {
    const policy = await loadScoringPolicy(await policyFile({ weights: { nps: 0, csat: 10 } }));
    expect(policy.weights).toMatchObject({ nps: 0, csat: 10 });
  });

  it("names the setting for other wrong values too", async () => {
    const currency = await loadError(await policyFile({ currency: "usd" }));
    expect(currency.message).toMatch(/: currency an ISO 4217 code such as USD\.$/);
    const window = await loadError(await policyFile({ windows: { recentActivityDays: 0 } }));
    expect(window.message).toMatch(/: windows\.recentActivityDays /);
    const kinds = await loadError(await policyFile({ purchaseKinds: [] }));
    expect(kinds.message).toMatch(/: purchaseKinds /);
  });

  it("refuses JSON that is not an object, naming the policy as a whole", async () => {
    const file = await policyFile("null");
    const error = await loadError(file);
    expect(error.message).toBe(`The scoring policy ${file}: Invalid input: expected object, received null.`);
  });
});
