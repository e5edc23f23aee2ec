// Relay connections for the GraphQL layer; cursors and page requests live in ../pagination.ts.

import { Directive, Field, ObjectType } from "type-graphql";
import type { ClassType } from "type-graphql";
import { encodeCursor, type PageRequest, type Position } from "../pagination.ts";

export * from "../pagination.ts";

@Directive("@shareable")
@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
}

export function toConnection<R extends Position, T>(rows: R[], request: PageRequest, map: (row: R) => T): Connection<T> {
  const page = rows.slice(0, request.size);
  const edges = page.map((row) => ({ cursor: encodeCursor(row), node: map(row) }));
  return {
    edges,
    pageInfo: Object.assign(new PageInfo(), {
      hasNextPage: rows.length > request.size,
      endCursor: edges.at(-1)?.cursor ?? null,
    }),
  };
}

/** A connection with nothing in it (what the operator key reads of a platform's lists). */
export function emptyConnection<T>(): Connection<T> {
  return { edges: [], pageInfo: Object.assign(new PageInfo(), { hasNextPage: false, endCursor: null }) };
}

/** Declares `<Name>Connection` and `<Name>Edge` object types for a node type. */
export function ConnectionType<T extends object>(name: string, node: ClassType<T>) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionClass {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionClass;
}
