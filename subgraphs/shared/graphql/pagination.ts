// Relay connections for the GraphQL layer; cursors and page requests live in ../pagination.ts.

import { Directive, Field, ObjectType } from "type-graphql";
import type { ClassType } from "type-graphql";
import { encodeCursor, type PageRequest, type Position } from "../pagination.ts";

export * from "../pagination.ts";

@Directive("@shareable")
@ObjectType()
export class PageInfo {
  @Field(() => Boolean, {
    description: "More items follow this page (older ones). With `before`, true: the item the cursor came from follows.",
  })
  hasNextPage!: boolean;

  @Field(() => Boolean, {
    description: "More items precede this page (newer ones). With `after`, true: the item the cursor came from precedes.",
  })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "The first item's cursor: `before` for the page above." })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: "The last item's cursor: `after` for the page below." })
  endCursor!: string | null;
}

export interface Connection<T> {
  edges: { readonly cursor: string; node: T }[];
  pageInfo: PageInfo;
}

/**
 * One edge. Its cursor is encoded when a client asks for it (a field read), not for every row of
 * every page: a dashboard's lists mostly go without (encoding was 1.5 % of the process's CPU
 * serving its first page, which asks for none).
 */
class Edge<T> {
  readonly #position: Position;
  #cursor: string | undefined;

  constructor(
    position: Position,
    readonly node: T,
  ) {
    this.#position = position;
  }

  get cursor(): string {
    return (this.#cursor ??= encodeCursor(this.#position));
  }
}

export function toConnection<R extends Position, T>(rows: R[], request: PageRequest, map: (row: R) => T): Connection<T> {
  const more = rows.length > request.size;
  const page = rows.slice(0, request.size);
  // A backward page was read oldest first.
  if (request.backward) page.reverse();
  const edges = page.map((row) => new Edge(row, map(row)));
  const pageInfo = Object.assign(new PageInfo(), {
    hasNextPage: request.backward ? request.before !== undefined : more,
    hasPreviousPage: request.backward ? more : request.after !== undefined,
  });
  // The same for the page's own cursors.
  Object.defineProperties(pageInfo, {
    startCursor: { enumerable: true, get: () => edges[0]?.cursor ?? null },
    endCursor: { enumerable: true, get: () => edges.at(-1)?.cursor ?? null },
  });
  return { edges, pageInfo };
}

/** A connection with nothing in it (what the operator key reads of a platform's lists). */
export function emptyConnection<T>(): Connection<T> {
  return {
    edges: [],
    pageInfo: Object.assign(new PageInfo(), { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null }),
  };
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
