// Rules the gateway applies to every operation, as runtime plugins:
//   - text that cannot be stored (NUL, malformed Unicode) is refused at the edge, naming the
//     argument (subgraphs/shared/graphql/text-input.ts), before anything executes;
//   - an operation that failed entirely because something it depends on is unreachable (every
//     error SERVICE_UNAVAILABLE, no data) answers HTTP 503 with Retry-After, so clients and load
//     balancers back off and retry. An outage that only cost some fields is a partial result,
//     which stays 200 as GraphQL over HTTP asks.

import { GraphQLError, type ExecutionResult } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { OUTAGE_RETRY_AFTER_MS } from "../../subgraphs/shared/errors.ts";
import { findMalformedArgument, malformedTextError } from "../../subgraphs/shared/graphql/text-input.ts";
import { retryAfterSecondsOf } from "../auth-failures.ts";

export function useTextRule(): GatewayPlugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const problem = findMalformedArgument(args.document, args.variableValues);
      if (problem) setResultAndStopExecution({ errors: [malformedTextError(problem)] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = findMalformedArgument(args.document, args.variableValues);
      if (problem) setResultAndStopExecution({ errors: [malformedTextError(problem)] });
    },
  };
}

function isOutage(result: ExecutionResult): boolean {
  return result.data == null && !!result.errors?.length && result.errors.every((error) => error.extensions?.["code"] === "SERVICE_UNAVAILABLE");
}

export function useOutageStatus(): GatewayPlugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || Symbol.asyncIterator in (result as object)) return;
      const single = result as ExecutionResult;
      if (!isOutage(single)) return;
      const hinted = single.errors!.map((error) => error.extensions?.["retryAfterMs"]).filter((ms): ms is number => typeof ms === "number");
      const retryAfter = String(retryAfterSecondsOf(Math.max(...hinted, OUTAGE_RETRY_AFTER_MS)));
      setResult({
        ...single,
        errors: single.errors!.map(
          (error) =>
            new GraphQLError(error.message, {
              path: error.path,
              extensions: { ...error.extensions, http: { status: 503, headers: { "retry-after": retryAfter } } },
            }),
        ),
      });
    },
  };
}
