// The gateway's answer when something it depends on is unreachable (a subgraph's database, the
// key lookup): HTTP 503 with Retry-After and SERVICE_UNAVAILABLE errors, so that clients and
// load balancers back off and retry rather than treat it as a failed request.
//
// 503 only when the whole operation failed that way (no data at all): an outage that only cost
// some fields is a partial result, which stays 200 as GraphQL over HTTP asks.

import type { ApolloServerPlugin } from "@apollo/server";
import type { Response } from "express";
import type { GraphQLFormattedError } from "graphql";
import { OUTAGE_RETRY_AFTER_MS, serviceUnavailable } from "../subgraphs/shared/errors.ts";

function retryAfterSeconds(errors: readonly GraphQLFormattedError[]): number {
  const hinted = errors.map((error) => error.extensions?.["retryAfterMs"]).filter((ms): ms is number => typeof ms === "number");
  return Math.max(1, Math.ceil(Math.max(...hinted, OUTAGE_RETRY_AFTER_MS) / 1_000));
}

export const outageStatus: ApolloServerPlugin<object> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== "single") return;
        const { data, errors } = response.body.singleResult;
        if (data != null || !errors?.length) return;
        if (!errors.every((error) => error.extensions?.["code"] === "SERVICE_UNAVAILABLE")) return;
        response.http.status = 503;
        response.http.headers.set("retry-after", String(retryAfterSeconds(errors)));
      },
    };
  },
};

/** For middleware that answers before GraphQL runs (authentication). */
export function answerUnavailable(res: Response, message: string): void {
  const error = serviceUnavailable(message);
  const errors = [{ message: error.message, extensions: { ...error.details, code: error.code } }];
  res.setHeader("Retry-After", String(retryAfterSeconds(errors)));
  res.status(503).json({ errors });
}
