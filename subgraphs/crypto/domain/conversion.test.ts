// Exact conversion math: bigint and fractions only, each amount rounded once toward the
// platform by less than one minor unit, and no round trip that creates money.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCurrency, type Currency } from "../../shared/money/currency.ts";
import { maxOperationAmount } from "../../shared/money/money.ts";
import { checkExecutable, convertDown, priceConversion, quoteStatus, spreadFee, type ConversionTerms } from "./conversion.ts";
import { formatRational, parseDecimal, rational, terminates, type Rational } from "../../shared/money/rational.ts";
import { DEFAULT_RATE_TABLE, parseRateTable, tableRateSource, type RateTable } from "./rates.ts";
import { isRefusal } from "../../shared/refusal.ts";

const c = (code: string) => parseCurrency(code)!;
const [USD, EUR, JPY, BTC, ETH, USDC] = ["USD", "EUR", "JPY", "BTC", "ETH", "USDC"].map(c) as [
  Currency,
  Currency,
  Currency,
  Currency,
  Currency,
  Currency,
];
const defaults = parseRateTable(DEFAULT_RATE_TABLE) as RateTable;
const rates = tableRateSource(defaults);
const rate = (from: Currency, to: Currency) => rates.rate(from, to)!;
const decimals = { USD: 2n, EUR: 2n, JPY: 0n, BTC: 8n, ETH: 18n, USDC: 6n } as Record<string, bigint>;

function price(from: Currency, to: Currency, amount: bigint, spreadBps = 0): ConversionTerms {
  const terms = priceConversion({ sourceCurrency: from, destinationCurrency: to, sourceAmount: amount }, rate(from, to), spreadBps);
  if (isRefusal(terms)) throw new Error(terms.message);
  return terms;
}

/** The exact destination value, as a fraction of minor units: converted * rate * 10^dd / 10^sd. */
function exactValue(amount: bigint, r: Rational, from: Currency, to: Currency): Rational {
  return rational(amount * r.num * 10n ** decimals[to]!, r.den * 10n ** decimals[from]!);
}

describe("the default rate table (the test-mode values docs/crypto.md lists)", () => {
  it("prices BTC 50000.00, ETH 2500.00, USDC 1.00 in USD and EUR at 0.92 per USD", () => {
    expect(rate(BTC, USD)).toEqual({ num: 50000n, den: 1n });
    expect(rate(ETH, USD)).toEqual({ num: 2500n, den: 1n });
    expect(rate(USDC, USD)).toEqual({ num: 1n, den: 1n });
    expect(rate(USD, ETH)).toEqual({ num: 1n, den: 2500n });
    expect(rate(BTC, EUR)).toEqual({ num: 46000n, den: 1n });
    expect(rate(EUR, USDC)).toEqual({ num: 25n, den: 23n });
    expect(rates.rate(JPY, BTC)).toBeUndefined();
  });

  it("has cross rates that multiply to exactly one both ways", () => {
    const codes = [USD, EUR, BTC, ETH, USDC];
    for (const a of codes)
      for (const b of codes) {
        const there = rate(a, b);
        const back = rate(b, a);
        expect(there.num * back.num).toBe(there.den * back.den);
      }
  });

  it("refuses malformed tables with a reason", () => {
    expect(parseRateTable("BTC:abc")).toMatch(/positive decimal/);
    expect(parseRateTable("BTC:0")).toMatch(/positive decimal/);
    expect(parseRateTable("BTC:1e3")).toMatch(/positive decimal/);
    expect(parseRateTable("XYZ:1")).toMatch(/supported currency/);
    expect(parseRateTable("BTC:1,BTC:2")).toMatch(/twice/);
    expect(parseRateTable("USD:1,BTC:2")).toMatch(/USD/);
    expect(parseRateTable("EUR:0.92")).toMatch(/no crypto/);
    expect(parseRateTable("BTC:60000.5, ETH:3000")).toBeInstanceOf(Map);
  });
});

describe("exactness with 18 decimals", () => {
  it("converts 10^30 wei (a trillion ETH, one operation's cap) without losing a unit", () => {
    expect(convertDown(10n ** 30n, rate(ETH, USD), ETH, USD)).toBe(25n * 10n ** 16n); // 2.5 * 10^15 USD in cents
    const terms = price(ETH, BTC, 10n ** 30n);
    expect(terms.destinationAmount).toBe(5n * 10n ** 18n); // 5 * 10^10 BTC in satoshi
    expect(terms.fee).toBe(0n);
  });

  it("converts 10^30 - 1 wei exactly: the only rounding is the final floor", () => {
    // (10^30 - 1) wei at 0.05 BTC/ETH is 5 * 10^18 - 1/(2 * 10^11) satoshi: floor gives one less.
    expect(price(ETH, BTC, 10n ** 30n - 1n).destinationAmount).toBe(5n * 10n ** 18n - 1n);
    expect(convertDown(10n ** 30n - 1n, rate(ETH, USD), ETH, USD)).toBe(25n * 10n ** 16n - 1n);
  });

  it("converts 1 cent to exactly 4 * 10^12 wei, and 1 wei into USDC refuses rather than rounding to zero", () => {
    expect(price(USD, ETH, 1n).destinationAmount).toBe(4n * 10n ** 12n);
    const dust = priceConversion({ sourceCurrency: ETH, destinationCurrency: USDC, sourceAmount: 1n }, rate(ETH, USDC), 0);
    expect(dust).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.sourceAmount" });
  });

  it("where a float would not be exact, bigint is", () => {
    const wei = 10n ** 30n - 7n;
    const exact = convertDown(wei, rate(ETH, USD), ETH, USD);
    expect(BigInt(Math.floor((Number(wei) * 2500) / 1e16))).not.toBe(exact); // floats lose units here
    expect(exact).toBe((wei * 2500n) / 10n ** 16n);
    expect(price(ETH, BTC, wei).destinationAmount).toBe((wei * 10n ** 8n) / (20n * 10n ** 18n));
  });

  it("never loses a whole unit, for any amount up to 10^30 wei and any rate", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 30n }),
        fc.bigInt({ min: 1n, max: 10n ** 30n }),
        fc.bigInt({ min: 1n, max: 10n ** 30n }),
        fc.constantFrom(USD, EUR, JPY, BTC, USDC),
        (amount, num, den, to) => {
          const r = rational(num, den);
          const out = convertDown(amount, r, ETH, to);
          const exact = exactValue(amount, r, ETH, to);
          // out <= exact < out + 1, i.e. rounded down by less than one minor unit.
          expect(out * exact.den <= exact.num).toBe(true);
          expect(exact.num < (out + 1n) * exact.den).toBe(true);
        },
      ),
    );
  });
});

describe("the rounding rule", () => {
  it("takes the fee rounded up, and the destination rounded down, each by less than one minor unit", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<[Currency, Currency]>([USD, BTC], [USD, ETH], [EUR, USDC], [BTC, EUR], [ETH, USD], [USDC, EUR], [BTC, ETH]),
        fc.integer({ min: 0, max: 5000 }),
        fc.bigInt({ min: 1n, max: 10n ** 30n }),
        ([from, to], bps, raw) => {
          const amount = 1n + (raw % maxOperationAmount(from));
          const terms = priceConversion({ sourceCurrency: from, destinationCurrency: to, sourceAmount: amount }, rate(from, to), bps);
          if (isRefusal(terms)) return; // too small to buy one minor unit
          // fee: ceil(amount * bps / 10^4): exact <= fee < exact + 1
          expect(terms.fee * 10_000n >= amount * BigInt(bps)).toBe(true);
          expect((terms.fee - 1n) * 10_000n < amount * BigInt(bps)).toBe(true);
          expect(terms.converted + terms.fee).toBe(amount);
          const exact = exactValue(terms.converted, terms.rate, from, to);
          expect(terms.destinationAmount * exact.den <= exact.num).toBe(true);
          expect(exact.num < (terms.destinationAmount + 1n) * exact.den).toBe(true);
        },
      ),
    );
  });

  it("charges the default 1% spread on 100.00 USD as 1.00 USD, and a fraction of a cent as a whole cent", () => {
    expect(price(USD, ETH, 10_000n, 100)).toMatchObject({ fee: 100n, converted: 9_900n, destinationAmount: 39_600_000_000_000_000n });
    expect(spreadFee(1_001n, 100)).toBe(11n); // 10.01 cents of fee rounds up to 11
    expect(spreadFee(1_000n, 100)).toBe(10n);
  });

  it("never creates money on a round trip fiat -> crypto -> fiat, or crypto -> fiat -> crypto", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<[Currency, Currency]>(
          [USD, BTC],
          [USD, ETH],
          [USD, USDC],
          [EUR, BTC],
          [EUR, ETH],
          [EUR, USDC],
          [BTC, USD],
          [ETH, EUR],
          [USDC, EUR],
        ),
        fc.integer({ min: 0, max: 300 }),
        fc.bigInt({ min: 1n, max: 10n ** 30n }),
        fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 10n ** 12n })),
        ([from, to], bps, raw, [btc, eur]) => {
          // Any table, not only the default one.
          const table = parseRateTable(`BTC:${btc},ETH:${btc + 7n}.5,USDC:1.${eur},EUR:0.${eur}`);
          if (typeof table === "string") throw new Error(table);
          const source = tableRateSource(table);
          const amount = 1n + (raw % maxOperationAmount(from));
          const there = priceConversion(
            { sourceCurrency: from, destinationCurrency: to, sourceAmount: amount },
            source.rate(from, to)!,
            bps,
          );
          if (isRefusal(there)) return;
          const back = priceConversion(
            { sourceCurrency: to, destinationCurrency: from, sourceAmount: there.destinationAmount },
            source.rate(to, from)!,
            bps,
          );
          if (isRefusal(back)) return;
          expect(back.destinationAmount <= amount).toBe(true);
        },
      ),
    );
  });

  it("refuses what it cannot convert: same currency, fiat to fiat, zero, beyond one operation's limit", () => {
    const attempt = (from: Currency, to: Currency, amount: bigint, r = rational(1n, 1n)) =>
      priceConversion({ sourceCurrency: from, destinationCurrency: to, sourceAmount: amount }, r, 0);
    expect(attempt(BTC, BTC, 1n)).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.destinationCurrency" });
    expect(attempt(USD, EUR, 1n)).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.destinationCurrency" });
    expect(attempt(USD, BTC, 0n)).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.sourceAmount" });
    expect(attempt(USD, BTC, maxOperationAmount(USD) + 1n)).toMatchObject({ code: "BAD_USER_INPUT", argument: "input.sourceAmount" });
    // A trillion BTC at 2 ETH each is two trillion ETH: beyond one operation's cap in ETH.
    expect(attempt(BTC, ETH, maxOperationAmount(BTC), rational(2n, 1n))).toMatchObject({
      code: "BAD_USER_INPUT",
      argument: "input.sourceAmount",
    });
    expect(isRefusal(attempt(BTC, ETH, maxOperationAmount(BTC)))).toBe(false);
  });
});

describe("rates as text", () => {
  it("prints terminating rates exactly and cuts the others after 20 significant digits", () => {
    expect(formatRational(rational(50000n, 1n))).toBe("50000");
    expect(formatRational(rational(1n, 2500n))).toBe("0.0004");
    expect(formatRational(rational(23n, 25n))).toBe("0.92");
    expect(formatRational(rational(25n, 23n))).toBe("1.0869565217391304347");
    expect(formatRational(rational(1n, 46000n))).toBe("0.000021739130434782608695");
    expect(terminates(rational(1n, 46000n))).toBe(false);
    expect(terminates(rational(1n, 2500n))).toBe(true);
  });

  it("round-trips every terminating decimal it parses", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n - 1n }), fc.integer({ min: 0, max: 15 }), (digits, scale) => {
        const text =
          scale === 0
            ? digits.toString()
            : `${digits / 10n ** BigInt(scale)}.${(digits % 10n ** BigInt(scale)).toString().padStart(scale, "0")}`;
        const parsed = parseDecimal(text)!;
        expect(parsed.num * 10n ** BigInt(scale)).toBe(digits * parsed.den);
        expect(parseDecimal(formatRational(parsed, 40))).toEqual(parsed);
      }),
    );
  });
});

describe("quote state", () => {
  const at = new Date("2026-01-01T00:00:00Z");
  const quote = { id: "cq_1", conversionId: null, expiresAt: new Date(at.getTime() + 30_000) };

  it("is executable until it expires, then QUOTE_EXPIRED, and once executed INVALID_STATE", () => {
    expect(checkExecutable(quote, at)).toBeUndefined();
    expect(checkExecutable(quote, new Date(at.getTime() + 29_999))).toBeUndefined();
    expect(checkExecutable(quote, new Date(at.getTime() + 30_000))).toMatchObject({ code: "QUOTE_EXPIRED" });
    expect(checkExecutable({ ...quote, conversionId: "cc_1" }, at)).toMatchObject({ code: "INVALID_STATE" });
    expect(quoteStatus(quote, at)).toBe("OPEN");
    expect(quoteStatus(quote, new Date(at.getTime() + 30_000))).toBe("EXPIRED");
    expect(quoteStatus({ ...quote, conversionId: "cc_1" }, new Date(at.getTime() + 60_000))).toBe("EXECUTED");
  });
});
