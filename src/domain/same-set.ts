// A compile-time comparison of two sets of literals, for the places where the SDK's lower-case
// vocabularies must name exactly the database's enum values (upper-cased), so that typecheck fails
// the moment one side gains a value the other lacks.

/** `true` when A and B are the same set of literals, `false` otherwise. */
export type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
