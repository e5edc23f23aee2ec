// A small directory of bank names for display. A real deployment would load the Federal
// Reserve's E-Payments routing directory and national bank-code lists; unknown banks answer null.

const BY_ROUTING_NUMBER: Readonly<Record<string, string>> = {
  "110000000": "STRIPE TEST BANK",
  "011000015": "FEDERAL RESERVE BANK",
  "021000021": "JPMORGAN CHASE",
  "026009593": "BANK OF AMERICA",
  "121000248": "WELLS FARGO BANK",
};

/** National bank codes inside IBANs, by country: where the code sits in the IBAN, and names. */
const BY_IBAN_BANK_CODE: Readonly<Record<string, { start: number; end: number; names: Readonly<Record<string, string>> }>> = {
  DE: { start: 4, end: 12, names: { "37040044": "Commerzbank", "10010010": "Postbank", "50010517": "ING-DiBa" } },
  NL: { start: 4, end: 8, names: { ABNA: "ABN AMRO", INGB: "ING Bank", RABO: "Rabobank" } },
  FR: { start: 4, end: 9, names: { "20041": "La Banque Postale", "30004": "BNP Paribas" } },
};

export function bankNameForRoutingNumber(routingNumber: string): string | null {
  return BY_ROUTING_NUMBER[routingNumber] ?? null;
}

export function bankNameForIban(iban: string): string | null {
  const scheme = BY_IBAN_BANK_CODE[iban.slice(0, 2)];
  return scheme?.names[iban.slice(scheme.start, scheme.end)] ?? null;
}
