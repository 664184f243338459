// Whether a field's selection asks for a given child field: for a resolver that can read more in the
// same statement when the request wants it (the customer list's totalCount beside its page).
import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from "graphql";

/**
 * The first node of the field's selection that selects `name` (directly, through inline fragments or
 * named ones), in document order; undefined when none does. `@skip` and `@include` are not read: a
 * field they leave out counts as asked for, which costs a little work and never a missing answer.
 */
export function selectedField(info: GraphQLResolveInfo, name: string): FieldNode | undefined {
  const seen = new Set<string>();
  const inSet = (set: SelectionSetNode | undefined): FieldNode | undefined => {
    for (const selection of set?.selections ?? []) {
      let found: FieldNode | undefined;
      if (selection.kind === Kind.FIELD) found = selection.name.value === name ? selection : undefined;
      else if (selection.kind === Kind.INLINE_FRAGMENT) found = inSet(selection.selectionSet);
      else {
        const fragment = info.fragments[selection.name.value];
        if (!fragment || seen.has(fragment.name.value)) continue;
        seen.add(fragment.name.value);
        found = inSet(fragment.selectionSet);
      }
      if (found) return found;
    }
    return undefined;
  };
  for (const node of info.fieldNodes) {
    const found = inSet(node.selectionSet);
    if (found) return found;
  }
  return undefined;
}

/** Whether any of the field's nodes selects `name` (selectedField). */
export const selectsField = (info: GraphQLResolveInfo, name: string): boolean =>
  selectedField(info, name) !== undefined;
