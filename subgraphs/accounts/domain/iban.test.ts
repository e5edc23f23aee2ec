import { describe, expect, it } from "vitest";
import { checkIban, ibanMod97, normalizeIban } from "./iban.ts";

describe("IBAN", () => {
  // Examples from the SWIFT IBAN registry and national banking associations.
  it.each([
    "DE89370400440532013000",
    "GB82WEST12345698765432",
    "GB29NWBK60161331926819",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
    "CH9300762011623852957",
    "BE68539007547034",
    "NO9386011117947",
    "IT60X0542811101000000123456",
    "ES9121000418450200051332",
    "AT611904300234573201",
    "LI21088100002324013AA",
    "MT84MALT011000012345MTLCAST001S",
  ])("accepts %s", (iban) => {
    expect(checkIban(iban)).toBeUndefined();
    expect(ibanMod97(iban)).toBe(1);
  });

  it.each([
    ["DE89370400440532013001", "CHECKSUM"],
    ["GB82WEST12345698765433", "CHECKSUM"],
    ["DE88370400440532013000", "CHECKSUM"],
    ["DE8937040044053201300", "LENGTH"],
    ["DE893704004405320130000", "LENGTH"],
    ["NL91ABNA041716430", "LENGTH"],
    ["US64SVBKUS6S3300958879", "COUNTRY"],
    ["ZZ89370400440532013000", "COUNTRY"],
    ["D089370400440532013000", "FORMAT"],
    ["DE8937040044053201300!", "FORMAT"],
    ["", "FORMAT"],
  ])("refuses %s (%s)", (iban, problem) => {
    expect(checkIban(iban)).toBe(problem);
  });

  it("normalizes the printed form to the electronic one", () => {
    expect(normalizeIban(" de89 3704 0044 0532 0130 00 ")).toBe("DE89370400440532013000");
  });
});
