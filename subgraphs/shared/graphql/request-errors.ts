// Small facts about GraphQL request errors that formatError needs, whatever server produced them.

/**
 * graphql-js ends some messages with suggestions (`Did you mean "payouts"?`, `Did you mean the
 * enum value "PAID"?`): a description of the schema for whoever probes it, key or no key.
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/ Did you mean .*\?$/s, "");
}

/** The HTTP status an error asks for (Apollo Server's `extensions.http`), if any. */
export function httpStatusOf(error: unknown): number | undefined {
  const http = (error as { extensions?: { http?: { status?: unknown } } } | null | undefined)?.extensions?.http;
  return typeof http?.status === "number" ? http.status : undefined;
}

/** Apollo's refusals of a malformed request (a persisted query whose hash does not match) carry a 4xx status and no code. */
export function isCodelessClientError(code: unknown, error: unknown): boolean {
  const status = httpStatusOf(error);
  return (code === undefined || code === "INTERNAL_SERVER_ERROR") && status !== undefined && status >= 400 && status < 500;
}
