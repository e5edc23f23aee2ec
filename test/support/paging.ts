// Walks a Relay connection down with `first`/`after` and back up with `last`/`before`, checking
// what a dashboard relies on at every step: the same items both ways, in the same order, none
// twice, and every pageInfo field true to the page.

import { expect } from "vitest";

export interface PageOf {
  readonly edges: readonly { readonly cursor: string; readonly node: { readonly id: string } }[];
  readonly pageInfo: {
    readonly hasNextPage: boolean;
    readonly hasPreviousPage: boolean;
    readonly startCursor?: string | null | undefined;
    readonly endCursor?: string | null | undefined;
  };
}

export type PageArgs = { first: number; after?: string } | { last: number; before?: string };

/** The ids, newest first, walked down in pages of `size`, then checked walking back up. */
export async function walkBothWays(fetch: (args: PageArgs) => Promise<PageOf>, size: number): Promise<string[]> {
  const down: string[] = [];
  let after: string | undefined;
  for (let pages = 0; ; pages++) {
    expect(pages, "more pages than items").toBeLessThanOrEqual(10_000);
    const page = await fetch(after ? { first: size, after } : { first: size });
    checkEdges(page);
    expect(page.pageInfo.hasPreviousPage).toBe(after !== undefined);
    down.push(...page.edges.map((edge) => edge.node.id));
    if (!page.pageInfo.hasNextPage) {
      expect(page.edges.length).toBeLessThanOrEqual(size);
      break;
    }
    expect(page.edges.length).toBe(size);
    after = page.pageInfo.endCursor!;
  }
  expect(new Set(down).size, "an item listed twice on the way down").toBe(down.length);

  const up: string[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await fetch(before ? { last: size, before } : { last: size });
    checkEdges(page);
    expect(page.pageInfo.hasNextPage).toBe(before !== undefined);
    up.unshift(...page.edges.map((edge) => edge.node.id));
    if (!page.pageInfo.hasPreviousPage) break;
    expect(page.edges.length).toBe(size);
    before = page.pageInfo.startCursor!;
  }
  expect(up).toEqual(down);
  return down;
}

function checkEdges(page: PageOf): void {
  expect(page.pageInfo.startCursor ?? null).toBe(page.edges[0]?.cursor ?? null);
  expect(page.pageInfo.endCursor ?? null).toBe(page.edges.at(-1)?.cursor ?? null);
}
