// Rows fetched by `id = ANY(…)` come back in the database's order, without the ids that matched
// nothing (or another tenant's row); a DataLoader batch wants one answer per id asked, in that
// order, null where there is none. Every store's find-by-ids ends with this.

export function inOrderOf<R extends { readonly id: string }, T>(
  ids: readonly string[],
  rows: readonly R[],
  toRecord: (row: R) => T,
): (T | null)[] {
  const byId = new Map<string, T>(rows.map((row) => [row.id, toRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}
