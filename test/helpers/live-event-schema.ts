// A live subscription for the shared-execution tests: `events` streams what `publish` pushes, and its
// one masked field counts its executions (the note shows to a viewer with the pii scope, else "•••").
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from "graphql";
import { createAsyncQueue } from "../../src/streams/async-queue.ts";

export interface Viewer {
  name: string;
  pii: boolean;
}
export interface Event {
  id: string;
  note: string;
}
export interface Context {
  viewer: Viewer;
}

export function liveSchema() {
  const queues = new Set<{ push(event: Event): void }>();
  let executions = 0;
  const EventType = new GraphQLObjectType<Event, Context>({
    name: "Event",
    fields: {
      id: { type: GraphQLString },
      note: {
        type: GraphQLString,
        resolve: (event, _args, context) => {
          executions += 1;
          return context.viewer.pii ? event.note : "•••";
        },
      },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType<unknown, Context>({
      name: "Subscription",
      fields: {
        events: {
          type: EventType,
          args: { tag: { type: GraphQLString } },
          subscribe: () => {
            const queue = createAsyncQueue<Event>({
              limit: 10,
              whenSlow: "Too slow.",
              onClose: () => queues.delete(queue),
            });
            queues.add(queue);
            return queue.iterator;
          },
          resolve: (event: unknown) => event,
        },
      },
    }),
  });
  return {
    schema,
    executions: () => executions,
    /** Streams still listening. */
    listening: () => queues.size,
    /** The same event object to every subscriber, as the alert bus delivers a live event. */
    publish: (event: Event) => {
      for (const queue of queues) queue.push(event);
    },
    /** A copy of the event per subscriber, as a replay reads it. */
    publishCopies: (event: Event) => {
      for (const queue of queues) queue.push({ ...event });
    },
  };
}
