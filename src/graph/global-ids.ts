// Global IDs (Relay) arrive as { typename, id }; these check that one names the expected type.
import { ValidationError } from "../domain/errors.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether the text is a UUID: the form of every id the hub gives out (PostgreSQL refuses any other). */
export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** The database id inside a global ID, after checking it names the expected type. */
export function expectGlobalId(
  globalId: { typename: string; id: string },
  typename: string,
  path: Array<string | number>,
): string {
  if (globalId.typename !== typename || !isUuid(globalId.id)) {
    throw new ValidationError(
      `${path.join(".")} is not the ID of a ${typename}: use the id field of a ${typename}.`,
      [{ path, message: `expected a ${typename} ID` }],
    );
  }
  return globalId.id;
}
