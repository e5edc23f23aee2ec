import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCurrency, type Currency } from "./currency.ts";
import { formatDecimal, MAX_MINOR_UNITS, parseMinorUnits, positiveMoney } from "./money.ts";

const USD = parseCurrency("USD")!;
const JPY = parseCurrency("JPY")!;
const BTC = parseCurrency("BTC")!;
const ETH = parseCurrency("ETH")!;

describe("parseMinorUnits", () => {
  it.each(["0", "1", "1050", "-5", "99999999999999999999999999999999999999"])("accepts %s exactly", (text) => {
    expect(parseMinorUnits(text)).toBe(BigInt(text));
  });

  it.each(["1.5", "1e3", "1E3", " 1", "1 ", "+1", "0x10", "", "-", "١٢", "1_000", "Infinity", "NaN"])(
    "refuses %j as not an integer",
    (text) => {
      expect(parseMinorUnits(text)).toBe("NOT_AN_INTEGER");
    },
  );

  it("refuses amounts beyond NUMERIC(38,0)", () => {
    expect(parseMinorUnits("1" + "0".repeat(38))).toBe("TOO_LARGE");
    expect(parseMinorUnits("-" + "9".repeat(39))).toBe("TOO_LARGE");
    expect(parseMinorUnits("9".repeat(81))).toBe("NOT_AN_INTEGER");
  });

  it("round-trips every storable integer", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -MAX_MINOR_UNITS, max: MAX_MINOR_UNITS }), (value) => {
        expect(parseMinorUnits(value.toString())).toBe(value);
      }),
    );
  });
});

describe("positiveMoney", () => {
  it("refuses zero and negative amounts", () => {
    expect(positiveMoney(0n, USD)).toBe("NOT_POSITIVE");
    expect(positiveMoney(-1n, USD)).toBe("NOT_POSITIVE");
  });

  it("refuses amounts the ledger cannot store", () => {
    expect(positiveMoney(MAX_MINOR_UNITS + 1n, USD)).toBe("TOO_LARGE");
    expect(positiveMoney(MAX_MINOR_UNITS, ETH)).toEqual({ amount: MAX_MINOR_UNITS, currency: ETH });
  });
});

describe("formatDecimal", () => {
  it.each<[bigint, Currency, string]>([
    [1050n, USD, "10.50"],
    [5n, USD, "0.05"],
    [0n, USD, "0.00"],
    [-1050n, USD, "-10.50"],
    [1500n, JPY, "1500"],
    [1n, BTC, "0.00000001"],
    [-5n, BTC, "-0.00000005"],
    [10n ** 18n, ETH, "1.000000000000000000"],
    [10n ** 30n + 1n, ETH, "1000000000000.000000000000000001"],
  ])("formats %s %s as %s", (amount, currency, expected) => {
    expect(formatDecimal(amount, currency)).toBe(expected);
  });

  it("loses no digit for any amount", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -MAX_MINOR_UNITS, max: MAX_MINOR_UNITS }), fc.constantFrom(USD, JPY, BTC, ETH), (amount, currency) => {
        const text = formatDecimal(amount, currency);
        expect(BigInt(text.replace(".", ""))).toBe(amount);
      }),
    );
  });
});

describe("currencies", () => {
  it("knows fiat and crypto codes, upper-case only", () => {
    expect(parseCurrency("EUR")).toBe("EUR");
    expect(parseCurrency("USDC")).toBe("USDC");
    expect(parseCurrency("usd")).toBeUndefined();
    expect(parseCurrency("XYZ")).toBeUndefined();
    expect(parseCurrency("__proto__")).toBeUndefined();
  });
});
