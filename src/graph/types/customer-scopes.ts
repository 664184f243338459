// Who may read the customer graph, as the auth scope of its types and fields: one definition for the
// customer, interaction, feedback, score, journey and subscription modules. Integrator keys need the
// `customers` scope (see canReadCustomers); lists refuse at the field, node/nodes and nested objects
// at the type, so no path around the field reaches a customer.

/** Who may read customers and what hangs off them. */
export const CUSTOMER_READERS = { customerReader: true } as const;

/** A record's visibility (boolean, or a promise when the owner had to be looked up) and the scope. */
export function withCustomerReaders(
  visible: boolean | Promise<boolean>,
): false | typeof CUSTOMER_READERS | Promise<false | typeof CUSTOMER_READERS> {
  if (typeof visible === "boolean") return visible && CUSTOMER_READERS;
  return visible.then((seen) => seen && CUSTOMER_READERS);
}
