// Rules the gateway applies to every operation, as runtime plugins:
//   - text that cannot be stored (NUL, malformed Unicode) is refused at the edge, naming the
//     argument (subgraphs/shared/graphql/text-input.ts), before anything executes;
//   - an operation that failed entirely because something it depends on is unreachable (every
//     error SERVICE_UNAVAILABLE, no data) answers HTTP 503 with Retry-After, so clients and load
//     balancers back off and retry. An outage that only cost some fields is a partial result,
//     which stays 200 as GraphQL over HTTP asks. Likewise a mutation refused because its
//     idempotency key is still executing elsewhere (every error IDEMPOTENCY_KEY_IN_USE) answers
//     409 with Retry-After: the same request, with the same key, will get the first one's answer.

import { GraphQLError, type DocumentNode, type ExecutionResult } from "graphql";
import type { GatewayPlugin } from "@graphql-hive/gateway-runtime";
import { OUTAGE_RETRY_AFTER_MS } from "../../subgraphs/shared/errors.ts";
import { documentText, findMalformedIn, malformedTextError } from "../../subgraphs/shared/graphql/text-input.ts";
import { retryAfterSecondsOf } from "../auth-failures.ts";

export function useTextRule(): GatewayPlugin {
  const problemOf = (document: DocumentNode, variables: Readonly<Record<string, unknown>> | null | undefined) =>
    findMalformedIn(documentText(document), variables);
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const problem = problemOf(args.document, args.variableValues);
      if (problem) setResultAndStopExecution({ errors: [malformedTextError(problem)] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const problem = problemOf(args.document, args.variableValues);
      if (problem) setResultAndStopExecution({ errors: [malformedTextError(problem)] });
    },
  };
}

/** The one code every error of a result without data carries, if there is one. */
function soleCode(result: ExecutionResult): unknown {
  if (result.data != null || !result.errors?.length) return undefined;
  const codes = new Set(result.errors.map((error) => error.extensions?.["code"]));
  return codes.size === 1 ? [...codes][0] : undefined;
}

export function useWholeRequestStatus(): GatewayPlugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || Symbol.asyncIterator in (result as object)) return;
      const single = result as ExecutionResult;
      const code = soleCode(single);
      let status: number;
      let retryAfter: string;
      if (code === "SERVICE_UNAVAILABLE") {
        const hinted = single
          .errors!.map((error) => error.extensions?.["retryAfterMs"])
          .filter((ms): ms is number => typeof ms === "number");
        status = 503;
        retryAfter = String(retryAfterSecondsOf(Math.max(...hinted, OUTAGE_RETRY_AFTER_MS)));
      } else if (code === "IDEMPOTENCY_KEY_IN_USE") {
        status = 409;
        retryAfter = "1";
      } else {
        return;
      }
      setResult({
        ...single,
        errors: single.errors!.map(
          (error) =>
            new GraphQLError(error.message, {
              path: error.path,
              extensions: { ...error.extensions, http: { status, headers: { "retry-after": retryAfter } } },
            }),
        ),
      });
    },
  };
}
