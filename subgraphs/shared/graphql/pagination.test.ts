import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { decodeCursor, encodeCursor, pageRequest, toConnection } from "./pagination.ts";

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
});
