import { describe, expect, it } from "vitest";
import { formatMinor, toMinorUnits } from "./money.ts";

describe("amounts typed by people", () => {
  it.each([
    ["12.5", "USD", "1250"],
    ["12.50", "USD", "1250"],
    [" 7 ", "USD", "700"],
    ["0.01", "USD", "1"],
    ["1000", "JPY", "1000"],
    ["0.000000000000000001", "ETH", "1"],
    ["123456789012345678901234567890.99", "USD", "12345678901234567890123456789099"],
  ])("%j %s is %s minor units, exactly", (text, currency, minor) => {
    expect(toMinorUnits(text, currency)).toBe(minor);
  });

  it.each([["0"], ["0.00"], ["-1"], ["1.001"], ["1e3"], ["1,000"], [".5"], ["5."], [""], ["NaN"], ["0x10"], ["1.5 "], ["１２"]])(
    "refuses %j",
    (text) => {
      expect(toMinorUnits(text, text === "1.5 " ? "JPY" : "USD")).toBeNull();
    },
  );

  it("formats minor units with grouping and the currency's decimals", () => {
    expect(formatMinor("1000000", "USD")).toBe("10,000.00");
    expect(formatMinor("5", "USD")).toBe("0.05");
    expect(formatMinor("-1234", "USD")).toBe("-12.34");
    expect(formatMinor("39600000000000000", "ETH")).toBe("0.039600000000000000");
    expect(formatMinor("1000", "JPY")).toBe("1,000");
  });
});
