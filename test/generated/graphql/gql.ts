/* eslint-disable */
import * as types from './graphql.ts';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query CustomerList($first: Int, $after: String) {\n  customers(first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        displayName\n        lifecycleStage\n        lastSeenAt\n        identities {\n          kind\n          namespace\n          value\n        }\n        latestInteraction: interactions(first: 1) {\n          edges {\n            node {\n              channel\n              kind\n              occurredAt\n              summary\n            }\n          }\n        }\n      }\n    }\n  }\n}": typeof types.CustomerListDocument,
    "query CustomerTimeline($id: ID!, $first: Int, $after: String) {\n  node(id: $id) {\n    __typename\n    ... on Customer {\n      id\n      displayName\n      lifecycleStage\n      traits\n      firstSeenAt\n      lastSeenAt\n      identities {\n        kind\n        namespace\n        value\n      }\n      interactions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            channel\n            kind\n            direction\n            occurredAt\n            summary\n            body\n            sentiment\n            amount {\n              amount\n              currency\n            }\n          }\n        }\n      }\n    }\n  }\n}": typeof types.CustomerTimelineDocument,
};
const documents: Documents = {
    "query CustomerList($first: Int, $after: String) {\n  customers(first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        displayName\n        lifecycleStage\n        lastSeenAt\n        identities {\n          kind\n          namespace\n          value\n        }\n        latestInteraction: interactions(first: 1) {\n          edges {\n            node {\n              channel\n              kind\n              occurredAt\n              summary\n            }\n          }\n        }\n      }\n    }\n  }\n}": types.CustomerListDocument,
    "query CustomerTimeline($id: ID!, $first: Int, $after: String) {\n  node(id: $id) {\n    __typename\n    ... on Customer {\n      id\n      displayName\n      lifecycleStage\n      traits\n      firstSeenAt\n      lastSeenAt\n      identities {\n        kind\n        namespace\n        value\n      }\n      interactions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            channel\n            kind\n            direction\n            occurredAt\n            summary\n            body\n            sentiment\n            amount {\n              amount\n              currency\n            }\n          }\n        }\n      }\n    }\n  }\n}": types.CustomerTimelineDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CustomerList($first: Int, $after: String) {\n  customers(first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        displayName\n        lifecycleStage\n        lastSeenAt\n        identities {\n          kind\n          namespace\n          value\n        }\n        latestInteraction: interactions(first: 1) {\n          edges {\n            node {\n              channel\n              kind\n              occurredAt\n              summary\n            }\n          }\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query CustomerList($first: Int, $after: String) {\n  customers(first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n    edges {\n      cursor\n      node {\n        id\n        displayName\n        lifecycleStage\n        lastSeenAt\n        identities {\n          kind\n          namespace\n          value\n        }\n        latestInteraction: interactions(first: 1) {\n          edges {\n            node {\n              channel\n              kind\n              occurredAt\n              summary\n            }\n          }\n        }\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CustomerTimeline($id: ID!, $first: Int, $after: String) {\n  node(id: $id) {\n    __typename\n    ... on Customer {\n      id\n      displayName\n      lifecycleStage\n      traits\n      firstSeenAt\n      lastSeenAt\n      identities {\n        kind\n        namespace\n        value\n      }\n      interactions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            channel\n            kind\n            direction\n            occurredAt\n            summary\n            body\n            sentiment\n            amount {\n              amount\n              currency\n            }\n          }\n        }\n      }\n    }\n  }\n}"): (typeof documents)["query CustomerTimeline($id: ID!, $first: Int, $after: String) {\n  node(id: $id) {\n    __typename\n    ... on Customer {\n      id\n      displayName\n      lifecycleStage\n      traits\n      firstSeenAt\n      lastSeenAt\n      identities {\n        kind\n        namespace\n        value\n      }\n      interactions(first: $first, after: $after) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            id\n            channel\n            kind\n            direction\n            occurredAt\n            summary\n            body\n            sentiment\n            amount {\n              amount\n              currency\n            }\n          }\n        }\n      }\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;