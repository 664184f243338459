// The errors a mutation returns as part of its result, so a client can switch on them by type
// (`... on ValidationError { issues { path message } }`) instead of parsing messages.
import {
  ConflictError,
  type FieldIssue,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from "../../domain/errors.ts";
import { builder } from "../builder.ts";

export const UserErrorInterface = builder.interfaceRef<Error>("UserError").implement({
  description: "Something the caller can fix. Every mutation's result is its payload or one of these.",
  fields: (t) => ({
    message: t.exposeString("message", {
      description: "What went wrong and what to do about it, in a sentence.",
    }),
  }),
});

const FieldIssueRef = builder.objectRef<FieldIssue>("FieldIssue").implement({
  description: "One problem with one input field.",
  fields: (t) => ({
    path: t.stringList({
      description:
        'Where in the input: ["input", "identities", "0", "value"]. Indexes are written as strings.',
      resolve: (issue) => issue.path.map(String),
    }),
    message: t.exposeString("message", { description: "What is wrong with that field." }),
  }),
});

builder.objectType(ValidationError, {
  name: "ValidationError",
  description: "The input is invalid; `issues` lists every problem with the field it concerns.",
  interfaces: [UserErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({
    issues: t.field({
      type: [FieldIssueRef],
      description: "Each problem, with its field path.",
      resolve: (error) => error.issues,
    }),
  }),
});

builder.objectType(NotFoundError, {
  name: "NotFoundError",
  description: "Something the input names does not exist (or you may not see it).",
  interfaces: [UserErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({
    resource: t.exposeString("resource", {
      description: "The kind of thing that was not found (Customer, Journey, …).",
    }),
  }),
});

builder.objectType(ConflictError, {
  name: "ConflictError",
  description:
    "The input is valid but conflicts with the current state (a duplicate key, an already merged customer).",
  interfaces: [UserErrorInterface],
  isTypeOf: (value) => value instanceof ConflictError,
});

builder.objectType(ForbiddenError, {
  name: "ForbiddenError",
  description: "Your API key may not do this to this object.",
  interfaces: [UserErrorInterface],
  isTypeOf: (value) => value instanceof ForbiddenError,
});

/** The errors every mutation returns as typed results. */
export const MUTATION_ERRORS = [ValidationError, NotFoundError, ConflictError, ForbiddenError];
