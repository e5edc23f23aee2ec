// Relay paging either way: newer (last/before the page's start) and older (first/after its end).

export type PageArgs = { first: number; after?: string } | { last: number; before?: string };

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor?: string | null;
  readonly endCursor?: string | null;
}

export function Pager({ pageInfo, size, onPage }: { pageInfo: PageInfo | undefined; size: number; onPage(args: PageArgs): void }) {
  return (
    <div className="pager">
      <button
        type="button"
        disabled={!pageInfo?.hasPreviousPage}
        onClick={() => onPage({ last: size, before: pageInfo!.startCursor ?? undefined })}
      >
        ← Newer
      </button>
      <button
        type="button"
        disabled={!pageInfo?.hasNextPage}
        onClick={() => onPage({ first: size, after: pageInfo!.endCursor ?? undefined })}
      >
        Older →
      </button>
    </div>
  );
}
