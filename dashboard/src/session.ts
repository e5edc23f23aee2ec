// The secret key the dashboard signs in with. Kept in this tab's sessionStorage only: never in
// localStorage, a cookie, a URL or a log, and sent nowhere but to this gateway (same origin) in
// the Authorization header and the graphql-ws connection_init. Closing the tab forgets it.
// A production dashboard would sign people in and hold a short-lived session instead (README).

const KEY = "moneygraph.secretKey";

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function signIn(secretKey: string): void {
  sessionStorage.setItem(KEY, secretKey);
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

/** A secret key's shape, checked before anything is sent. */
export function looksLikeSecretKey(value: string): boolean {
  return /^sk_(test|live)_[0-9A-Za-z]{16,128}$/.test(value);
}
