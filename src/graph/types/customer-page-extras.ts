// What the customer query reads in its customer's own statement beside the row: the journeys and the
// timeline page its selection asks for (customer-page-rows.ts's extras). The Customer360 page took
// three statements, the customer, then its journeys and its timeline side by side; each cost the hub
// a round trip to PostgreSQL (a write to the socket, a read of the answer) and PostgreSQL one more
// execution, together the largest part of the page's CPU after graphql-js itself (issue 15). The
// resolvers take what the row carries when it was read for their own arguments, and read it
// themselves otherwise: asking for a field the request then skips (@skip, a fragment on another
// type) costs a little reading, never a wrong answer.
import { type GraphQLObjectType, type GraphQLResolveInfo, getArgumentValues } from "graphql";
import type { PageRowExtras } from "../../domain/customers/customer-page-rows.ts";
import { selectedField, selectsField } from "../selected-fields.ts";
import { timelinePageFor } from "./timeline.ts";

/** The extras the selection of the customer field `info` resolves asks for, of a Customer. */
export function customerPageExtras(info: GraphQLResolveInfo): PageRowExtras {
  const extras: PageRowExtras = {};
  if (selectsField(info, "journeys")) extras.journeys = true;
  // The first timeline field read: another alias with other arguments reads its own page.
  const timeline = selectedField(info, "timeline");
  if (timeline) {
    const field = (info.schema.getType("Customer") as GraphQLObjectType).getFields().timeline;
    // The arguments as graphql-js will hand them to the field's resolver.
    const page = field && timelinePageFor(getArgumentValues(field, timeline, info.variableValues));
    if (page) extras.timeline = page;
  }
  return extras;
}
