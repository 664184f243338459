// The Principal type: a person or service that calls the API and may own customers.
import { builder } from "../builder.ts";

builder.prismaNode("Principal", {
  description: "A person or service that uses the hub; account managers own customers.",
  id: { field: "id", description: "The principal's global ID." },
  fields: (t) => ({
    name: t.exposeString("name", { description: "The principal's name." }),
    email: t.exposeString("email", {
      nullable: true,
      description: "The principal's work email, when known.",
    }),
  }),
});
