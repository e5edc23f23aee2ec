import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { decodeCursor, encodeCursor, pageRequest, pageSql, toConnection } from "./pagination.ts";

describe("pagination", () => {
  it("round-trips a cursor", () => {
    const position = { createdAt: new Date("2026-01-02T03:04:05.678Z"), id: "acct_x" };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each(["", "not base64", Buffer.from("[1,2]").toString("base64url"), Buffer.from('["nope","acct_x"]').toString("base64url")])(
    "refuses a hand-made cursor %j with BAD_USER_INPUT",
    (cursor) => {
      expect(() => decodeCursor(cursor)).toThrowError(AppError);
    },
  );

  it.each([0, -1, 101, 1.5])("refuses first=%s", (first) => {
    expect(() => pageRequest({ first })).toThrowError(/between 1 and 100/);
  });

  it("asks for one extra row to know whether a next page exists", () => {
    const request = pageRequest({ first: 2 });
    expect(request.take).toBe(3);
    const rows = [1, 2, 3].map((n) => ({ createdAt: new Date(n * 1000), id: `x${n}` }));
    const connection = toConnection(rows, request, (row) => row.id);
    expect(connection.edges.map((edge) => edge.node)).toEqual(["x1", "x2"]);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(connection.pageInfo.endCursor).toBe(connection.edges[1]!.cursor);
  });

  it.each([0, -1, 101, 1.5])("refuses last=%s, naming last", (last) => {
    expect(() => pageRequest({ last })).toThrowError(/last must be between 1 and 100/);
  });

  it("encodes an edge's cursor only when it is read, once", () => {
    let reads = 0;
    const rows = [1, 2].map((n) => ({
      get createdAt() {
        reads += 1;
        return new Date(n * 1000);
      },
      id: `x${n}`,
    }));
    const connection = toConnection(rows, pageRequest({ first: 5 }), (row) => row.id);
    expect(reads).toBe(0);
    const cursor = connection.edges[0]!.cursor;
    expect(decodeCursor(cursor)).toEqual({ createdAt: new Date(1000), id: "x1" });
    expect(connection.pageInfo.startCursor).toBe(cursor);
    expect(reads).toBe(1);
    expect(connection.pageInfo.endCursor).toBe(encodeCursor({ createdAt: new Date(2000), id: "x2" }));
    expect(reads).toBe(2);
  });

  it("refuses first and last together, and a hand-made before", () => {
    expect(() => pageRequest({ first: 1, last: 1 })).toThrowError(/first or last, not both/);
    try {
      pageRequest({ before: "nope" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: "BAD_USER_INPUT", details: { argument: "before" } });
    }
  });

  const rows = (...ns: number[]) => ns.map((n) => ({ createdAt: new Date(n * 1000), id: `x${n}` }));
  const ids = (connection: { edges: { node: string }[] }) => connection.edges.map((edge) => edge.node);

  it("says there are newer items when a forward page starts after a cursor", () => {
    const after = encodeCursor(rows(9)[0]!);
    const connection = toConnection(rows(8, 7), pageRequest({ first: 2, after }), (row) => row.id);
    expect(ids(connection)).toEqual(["x8", "x7"]);
    expect(connection.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(connection.pageInfo.startCursor).toBe(connection.edges[0]!.cursor);
  });

  it("turns a backward page (read oldest first) newest first, and says whether older or newer items remain", () => {
    const request = pageRequest({ last: 2 });
    expect(request).toMatchObject({ backward: true, size: 2, take: 3 });
    const bottom = toConnection(rows(1, 2, 3), request, (row) => row.id);
    expect(ids(bottom)).toEqual(["x2", "x1"]);
    expect(bottom.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = encodeCursor(rows(1)[0]!);
    const above = toConnection(rows(2, 3), pageRequest({ last: 2, before }), (row) => row.id);
    expect(ids(above)).toEqual(["x3", "x2"]);
    expect(above.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    expect(above.pageInfo.startCursor).toBe(above.edges[0]!.cursor);
    expect(above.pageInfo.endCursor).toBe(above.edges[1]!.cursor);
  });

  it("writes the window, order and limit of either direction on consecutive parameters", () => {
    const after = { createdAt: new Date(5000), id: "x5" };
    const before = { createdAt: new Date(1000), id: "x1" };
    const forward = pageSql(pageRequest({ first: 3, after: encodeCursor(after) }), 4, "t");
    expect(forward.where).toBe(
      "($4::timestamptz IS NULL OR (t.created_at, t.id) < ($4::timestamptz, $5::varchar)) AND ($6::timestamptz IS NULL OR (t.created_at, t.id) > ($6::timestamptz, $7::varchar))",
    );
    expect(forward).toMatchObject({ orderBy: "t.created_at DESC, t.id DESC", limit: "$8", params: [after.createdAt, "x5", null, "", 4] });
    const backward = pageSql(pageRequest({ last: 2, before: encodeCursor(before) }), 1);
    expect(backward).toMatchObject({ orderBy: "created_at ASC, id ASC", limit: "$5", params: [null, "", before.createdAt, "x1", 3] });
  });
});
