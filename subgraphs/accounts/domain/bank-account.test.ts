import { describe, expect, it } from "vitest";
import { bankCurrencies, becomesDefault, refuseRemoval, validateBankAccount, type ValidBankAccount } from "./bank-account.ts";

const us = { country: "US", currency: "USD", accountHolderName: "Jane Doe", routingNumber: "110000000", accountNumber: "000123456789" };
const de = { country: "DE", currency: "EUR", accountHolderName: "Jana Schmidt", iban: "DE89370400440532013000" };

describe("bank account validation", () => {
  it.each(["000123456789", "000111111116", "000111111113", "000222222227"])(
    "accepts the documented test account number %s",
    (accountNumber) => {
      const valid = validateBankAccount({ ...us, accountNumber }) as ValidBankAccount;
      expect(valid).toMatchObject({ country: "US", currency: "USD", routingNumber: "110000000", last4: accountNumber.slice(-4) });
      expect(valid.bankName).toBe("STRIPE TEST BANK");
      expect(valid.secretNumber).toBe(accountNumber);
    },
  );

  it("accepts the documented EUR IBAN, printed with spaces, and finds its bank", () => {
    const valid = validateBankAccount({ ...de, iban: "DE89 3704 0044 0532 0130 00" }) as ValidBankAccount;
    expect(valid).toMatchObject({ country: "DE", currency: "EUR", routingNumber: null, last4: "3000", bankName: "Commerzbank" });
    expect(valid.secretNumber).toBe("DE89370400440532013000");
    expect(valid.identity).toEqual(["IBAN", "DE89370400440532013000"]);
  });

  it("gives the same identity to the same bank account however it is written", () => {
    const a = validateBankAccount({ ...de, iban: "de89370400440532013000" }) as ValidBankAccount;
    const b = validateBankAccount(de) as ValidBankAccount;
    expect(a.identity).toEqual(b.identity);
  });

  it.each([
    [{ ...us, country: "XX" }, "country"],
    [{ ...us, country: "usa" }, "country"],
    [{ ...us, country: "JP", currency: "JPY" }, "country"],
    [{ ...us, currency: "XYZ" }, "currency"],
    [{ ...us, currency: "BTC" }, "currency"],
    [{ ...us, currency: "EUR" }, "currency"],
    [{ ...de, currency: "USD" }, "currency"],
    [{ ...us, routingNumber: "110000001" }, "routingNumber"],
    [{ ...us, routingNumber: "123456789" }, "routingNumber"],
    [{ ...us, routingNumber: "11000000" }, "routingNumber"],
    [{ ...us, routingNumber: undefined }, "routingNumber"],
    [{ ...us, accountNumber: "12a456" }, "accountNumber"],
    [{ ...us, accountNumber: "123" }, "accountNumber"],
    [{ ...us, accountNumber: "1".repeat(18) }, "accountNumber"],
    [{ ...us, iban: "DE89370400440532013000" }, "iban"],
    [{ ...de, iban: "DE89370400440532013001" }, "iban"],
    [{ ...de, iban: "DE8937040044053201300" }, "iban"],
    [{ ...de, iban: "GB82WEST12345698765432" }, "iban"],
    [{ ...de, iban: undefined }, "iban"],
    [{ ...de, routingNumber: "110000000" }, "routingNumber"],
    [{ ...us, accountHolderName: "  " }, "accountHolderName"],
    [{ ...us, accountHolderName: "x".repeat(201) }, "accountHolderName"],
  ])("refuses %o on %s", (input, field) => {
    expect(validateBankAccount(input)).toMatchObject({ code: "BAD_USER_INPUT", argument: field });
  });

  it("never echoes the account number or IBAN in a message", () => {
    const secrets = [
      validateBankAccount({ ...us, accountNumber: "99999999999999999999" }),
      validateBankAccount({ ...de, iban: "DE89370400440532099999" }),
      validateBankAccount({ ...de, iban: "GB82WEST12345698765432" }),
    ];
    for (const problem of secrets) expect(JSON.stringify(problem)).not.toMatch(/99999|98765432/);
  });

  it("knows which currencies a country's bank accounts receive", () => {
    expect(bankCurrencies("US")).toEqual(["USD"]);
    expect(bankCurrencies("DE")).toEqual(["EUR"]);
    expect(bankCurrencies("GB")).toEqual(["EUR", "GBP"]);
    expect(bankCurrencies("CH")).toEqual(["EUR", "CHF"]);
    expect(bankCurrencies("BR")).toEqual([]);
  });
});

describe("defaults per currency", () => {
  it("makes the first bank account of a currency its default, later ones only on request", () => {
    expect(becomesDefault(0, undefined)).toBe(true);
    expect(becomesDefault(1, undefined)).toBe(false);
    expect(becomesDefault(1, true)).toBe(true);
  });

  it("refuses to remove the default while other accounts of its currency remain", () => {
    const target = { currency: "USD", defaultForCurrency: true, removed: false };
    expect(refuseRemoval(target, 1)).toMatchObject({ code: "INVALID_STATE" });
    expect(refuseRemoval(target, 0)).toBeUndefined();
    expect(refuseRemoval({ ...target, defaultForCurrency: false }, 3)).toBeUndefined();
  });
});
