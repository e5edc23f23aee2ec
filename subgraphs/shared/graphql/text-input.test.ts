import { parse } from "graphql";
import { describe, expect, it } from "vitest";
import { isPrintableText, textFault } from "../text.ts";
import { findMalformedArgument } from "./text-input.ts";

describe("the text rule", () => {
  it("finds NUL and unpaired surrogates, and passes paired ones", () => {
    expect(textFault("a\u0000b")).toBe("NUL");
    expect(textFault("a\ud800")).toBe("UNPAIRED_SURROGATE");
    expect(textFault("\udfffa")).toBe("UNPAIRED_SURROGATE");
    expect(textFault("pile of 💩 and 𝄞")).toBeUndefined();
    expect(isPrintableText("two\nlines\tand a tab", { multiline: true })).toBe(true);
    expect(isPrintableText("two\nlines")).toBe(false);
    expect(isPrintableText("bell\u0007", { multiline: true })).toBe(false);
    expect(isPrintableText("c1\u0085", { multiline: true })).toBe(false);
  });

  it("names the argument, through input objects, lists, JSON values and keys", () => {
    const document = parse(`mutation($input: In!, $k: String!) { m(input: $input, idempotencyKey: $k, tags: ["ok", "b\\u0000"]) }`);
    expect(findMalformedArgument(document, { input: { a: "fine" }, k: "k" })).toEqual({ argument: "tags.1", fault: "NUL" });
    const clean = parse(`mutation($input: In!, $k: String!) { m(input: $input, idempotencyKey: $k) }`);
    expect(findMalformedArgument(clean, { input: { metadata: { note: "x\ud800" } }, k: "k" })).toEqual({
      argument: "input.metadata.note",
      fault: "UNPAIRED_SURROGATE",
    });
    expect(findMalformedArgument(clean, { input: { metadata: { ["\u0000"]: "v" } }, k: "k" })).toEqual({
      argument: "input.metadata (a key)",
      fault: "NUL",
    });
    expect(findMalformedArgument(clean, { input: {}, k: "\udc00" })).toEqual({ argument: "idempotencyKey", fault: "UNPAIRED_SURROGATE" });
    expect(findMalformedArgument(clean, { input: { list: [1, "ok", null] }, k: "k" })).toBeUndefined();
  });

  it("checks defaults, directives and variables the document does not use", () => {
    expect(findMalformedArgument(parse(`query($id: ID = "a\\u0000") { x(id: $id) }`), {})?.argument).toBe("$id");
    expect(findMalformedArgument(parse(`query($id: ID = "a\\u0000") { x }`), {})?.argument).toBe("$id");
    expect(findMalformedArgument(parse(`{ x @include(if: true) @d(s: "\\u0000") }`), {})?.argument).toBe("s");
    expect(findMalformedArgument(parse(`{ x }`), { unused: "\u0000" })?.argument).toBe("$unused");
  });
});
