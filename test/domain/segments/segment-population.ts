// A hand-built population for segment tests: seven customers whose channels, owners, scores, value,
// journey stage and answers are set by hand, so that every segment's exact members are known.
//
//   name      identities          interactions        owner  stage      risk (level)      value  journey stage
//   Ada       email               2 orders (ECOMM)    ana    CUSTOMER   0.20 LOW          500    onboarding/activated
//   Bob       email               support message     ana    CUSTOMER   0.85 CRITICAL     100    onboarding/signed-up
//   Cy        social handle       social mention      ben    LEAD       0.70 HIGH         —      onboarding/activated
//   Dee       phone               —                   —      PROSPECT   0.50 MEDIUM        50    —
//   Eve       email               1 order (ECOMM)     ben    CUSTOMER   0.90 CRITICAL     900    —
//   Frank     email ada.fan@…     —                   —      LEAD       0.30 LOW          —      —
//   Zed       email               1 order (ECOMM)     ana    CUSTOMER   0.95 CRITICAL     700    merged into Eve
//
// NPS answers: Ada 10, Bob 3, Eve 9 (and Zed 0, left out with Zed).
import type { Database } from "../../../src/db/database.ts";
import type { ChurnRiskLevel } from "../../../src/generated/prisma/enums.ts";
import { recordInteraction, submitFeedback, upsertCustomer, writesAt } from "../../helpers/writes.ts";

export const POPULATION_NOW = new Date("2026-03-01T12:00:00.000Z");
const at = (day: number) => new Date(Date.UTC(2026, 1, day, 12)).toISOString();

export interface Population {
  ana: string;
  ben: string;
  ids: Record<"ada" | "bob" | "cy" | "dee" | "eve" | "frank" | "zed", string>;
  /** The customer IDs of these names, sorted: what a member list is compared with. */
  named(...names: Array<keyof Population["ids"]>): string[];
}

export async function buildPopulation(db: Database): Promise<Population> {
  const prisma = db.prisma;
  const options = { clock: writesAt(POPULATION_NOW).clock };
  const ana = (await prisma.principal.create({ data: { name: "Ana" } })).id;
  const ben = (await prisma.principal.create({ data: { name: "Ben" } })).id;
  const customer = async (
    displayName: string,
    identity: { kind: "EMAIL" | "PHONE" | "SOCIAL_HANDLE"; value: string; namespace?: string },
    lifecycleStage: "LEAD" | "PROSPECT" | "CUSTOMER",
  ) =>
    (await upsertCustomer(prisma, { identities: [identity], displayName, lifecycleStage }, {}, options))
      .customer.id;
  const ids = {
    ada: await customer("Ada Lovelace", { kind: "EMAIL", value: "ada@example.com" }, "CUSTOMER"),
    bob: await customer("Bob Stone", { kind: "EMAIL", value: "bob@example.com" }, "CUSTOMER"),
    cy: await customer("Cy Young", { kind: "SOCIAL_HANDLE", namespace: "x", value: "cy" }, "LEAD"),
    dee: await customer("Dee Lane", { kind: "PHONE", value: "+14155550123" }, "PROSPECT"),
    eve: await customer("Eve Park", { kind: "EMAIL", value: "eve@example.com" }, "CUSTOMER"),
    frank: await customer("Frank Hill", { kind: "EMAIL", value: "ada.fan@example.com" }, "LEAD"),
    zed: await customer("Zed Old", { kind: "EMAIL", value: "zed@example.com" }, "CUSTOMER"),
  };
  const interaction = (
    who: keyof typeof ids,
    externalId: string,
    channel: "ECOMMERCE" | "SUPPORT" | "SOCIAL",
    kind: string,
    day: number,
  ) =>
    recordInteraction(
      prisma,
      {
        customer: { id: ids[who] },
        source: "test",
        externalId,
        channel,
        kind,
        direction: "INBOUND",
        occurredAt: at(day),
        ...(kind === "order.placed" && { amount: { amount: "20.00", currency: "USD" } }),
      },
      options,
    );
  await interaction("ada", "o1", "ECOMMERCE", "order.placed", 2);
  await interaction("ada", "o2", "ECOMMERCE", "order.placed", 9);
  await interaction("bob", "t1", "SUPPORT", "support.ticket.opened", 5);
  await interaction("cy", "m1", "SOCIAL", "social.mention", 7);
  await interaction("eve", "o3", "ECOMMERCE", "order.placed", 4);
  await interaction("zed", "o4", "ECOMMERCE", "order.placed", 6);
  const nps = (who: keyof typeof ids, score: number, day: number) =>
    submitFeedback(
      prisma,
      {
        customer: { id: ids[who] },
        source: "survey",
        externalId: `nps-${who}`,
        kind: "NPS",
        score,
        respondedAt: at(day),
      },
      options,
    );
  await nps("ada", 10, 10);
  await nps("bob", 3, 11);
  await nps("eve", 9, 12);
  await nps("zed", 0, 13);

  const owners: Array<[keyof typeof ids, string]> = [
    ["ada", ana],
    ["bob", ana],
    ["cy", ben],
    ["eve", ben],
    ["zed", ana],
  ];
  for (const [who, ownerId] of owners)
    await prisma.customer.update({ where: { id: ids[who] }, data: { ownerId } });
  await prisma.customer.update({
    where: { id: ids.zed },
    data: { mergedIntoId: ids.eve, mergedAt: POPULATION_NOW },
  });

  // Scores by hand, over whatever the writes computed: the figures a segment selects on.
  const scores: Array<[keyof typeof ids, number, ChurnRiskLevel, string | null]> = [
    ["ada", 0.2, "LOW", "500"],
    ["bob", 0.85, "CRITICAL", "100"],
    ["cy", 0.7, "HIGH", null],
    ["dee", 0.5, "MEDIUM", "50"],
    ["eve", 0.9, "CRITICAL", "900"],
    ["frank", 0.3, "LOW", null],
    ["zed", 0.95, "CRITICAL", "700"],
  ];
  for (const [who, churnRisk, churnRiskLevel, clv] of scores) {
    await prisma.score.update({
      where: { customerId: ids[who] },
      data: { churnRisk, churnRiskLevel, clv, currency: clv === null ? null : "USD" },
    });
  }

  const journey = await prisma.journey.create({
    data: {
      key: "onboarding",
      name: "Onboarding",
      stages: {
        create: [
          { position: 0, key: "signed-up", name: "Signed up", enteredBy: ["account.created"] },
          { position: 1, key: "activated", name: "Activated", enteredBy: ["feature.used"] },
        ],
      },
    },
    include: { stages: true },
  });
  const stage = (key: string) => journey.stages.find((s) => s.key === key)?.id ?? "";
  // Each placed customer moved through the stages up to their current one, a day apart.
  const place = (who: keyof typeof ids, keys: string[]) =>
    prisma.journeyProgress.create({
      data: {
        journeyId: journey.id,
        customerId: ids[who],
        currentStageId: stage(keys[keys.length - 1] ?? ""),
        startedAt: new Date(at(1)),
        stageEnteredAt: new Date(at(keys.length)),
        transitions: {
          create: keys.map((key, index) => ({
            fromStageId: index === 0 ? null : stage(keys[index - 1] ?? ""),
            toStageId: stage(key),
            occurredAt: new Date(at(index + 1)),
          })),
        },
      },
    });
  await place("ada", ["signed-up", "activated"]);
  await place("bob", ["signed-up"]);
  await place("cy", ["signed-up", "activated"]);

  return { ana, ben, ids, named: (...names) => names.map((name) => ids[name]).sort() };
}
