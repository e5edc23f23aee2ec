// HTTP as fetch will not send it: a GET with a body (a replayed request), or from a chosen local
// address (127.0.0.0/8 is all loopback on Linux, so tests can be "different clients").

import { randomInt } from "node:crypto";
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http";

export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

export interface RawRequest {
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: string;
  /** The local address to send from (a loopback address other than 127.0.0.1 is another client). */
  readonly from?: string;
}

export function rawRequest(url: string, options: RawRequest = {}): Promise<RawAnswer> {
  const target = new URL(url);
  const body = options.body ?? "";
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? "POST",
        headers: { ...options.headers, "content-length": Buffer.byteLength(body) },
        localAddress: options.from,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/** A loopback address of its own (127.x.y.z, never 127.0.0.1), so tests and runs sharing a Redis do not share a budget. */
export function loopbackAddress(): string {
  return `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(2, 255)}`;
}
