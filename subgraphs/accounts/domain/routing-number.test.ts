import { describe, expect, it } from "vitest";
import { abaChecksumValid, isRoutingNumber } from "./routing-number.ts";

describe("ABA routing numbers", () => {
  // Published routing numbers of real institutions, and the documented test number.
  it.each(["110000000", "011000015", "021000021", "026009593", "121000358", "121000248", "322271627", "091000019", "211370545"])(
    "accepts %s",
    (routingNumber) => {
      expect(isRoutingNumber(routingNumber)).toBe(true);
    },
  );

  it.each([
    ["021000022", "a changed check digit"],
    ["123456789", "a failing checksum"],
    ["011000016", "a changed check digit"],
    ["000000000", "the government prefix 00"],
    ["500000005", "an unassigned prefix (50) even with a valid checksum"],
    ["11000000", "eight digits"],
    ["1100000000", "ten digits"],
    ["11000000a", "a letter"],
  ])("refuses %s (%s)", (routingNumber) => {
    expect(isRoutingNumber(routingNumber)).toBe(false);
  });

  it("computes the 3-7-1 weighted checksum", () => {
    // 3*(1+0+0) + 7*(1+0+0) + (0+0+0) = 10
    expect(abaChecksumValid("110000000")).toBe(true);
    expect(abaChecksumValid("500000005")).toBe(true);
    expect(abaChecksumValid("500000006")).toBe(false);
  });
});
