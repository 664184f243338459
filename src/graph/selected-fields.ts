// Whether a field's selection asks for a given child field: for a resolver that can read more in the
// same statement when the request wants it (the customer list's totalCount beside its page).
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from "graphql";

/**
 * Whether any of the field's nodes selects `name` directly, through inline fragments or named ones.
 * `@skip` and `@include` are not read: a field they leave out counts as asked for, which costs a
 * little work and never a missing answer.
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const inSet = (set: SelectionSetNode | undefined): boolean =>
    set?.selections.some((selection) => {
      switch (selection.kind) {
        case Kind.FIELD:
          return selection.name.value === name;
        case Kind.INLINE_FRAGMENT:
          return inSet(selection.selectionSet);
        case Kind.FRAGMENT_SPREAD: {
          const fragment = info.fragments[selection.name.value];
          if (!fragment || seen.has(fragment.name.value)) return false;
          seen.add(fragment.name.value);
          return inSet(fragment.selectionSet);
        }
        default:
          return false;
      }
    }) ?? false;
  return info.fieldNodes.some((node) => inSet(node.selectionSet));
}
