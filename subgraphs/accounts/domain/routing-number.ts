// US ABA routing transit numbers: nine digits whose weighted sum (weights 3, 7, 1 repeated) is a
// multiple of ten, and whose first two digits name a Federal Reserve routing symbol:
// 01-12 (banks), 21-32 (thrifts), 61-72 (electronic), 80 (traveller's cheques).
// 00 is reserved for the US government and is never a bank account's routing number.

const WEIGHTS = [3, 7, 1, 3, 7, 1, 3, 7, 1] as const;

export function abaChecksumValid(routingNumber: string): boolean {
  if (!/^\d{9}$/.test(routingNumber)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(routingNumber[i]) * WEIGHTS[i]!;
  return sum % 10 === 0;
}

export function abaPrefixValid(routingNumber: string): boolean {
  const prefix = Number(routingNumber.slice(0, 2));
  return (prefix >= 1 && prefix <= 12) || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80;
}

export function isRoutingNumber(routingNumber: string): boolean {
  return abaChecksumValid(routingNumber) && abaPrefixValid(routingNumber);
}
