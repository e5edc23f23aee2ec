// Domain problems and refusals become the API's typed errors here, in one place.

import { AppError, badInput } from "../../shared/errors.ts";
import { isRefusal, type Problem, type Refusal } from "../domain/problems.ts";

/** Throws the typed error for a domain problem; `argument` prefixes the field ("input"). */
export function fail(problem: Problem | Refusal, argument?: string): never {
  if (isRefusal(problem)) throw new AppError(problem.refusal, problem.message);
  throw badInput(problem.message, argument ? `${argument}.${problem.field}` : problem.field);
}

export function check(problem: Problem | Refusal | undefined, argument?: string): void {
  if (problem) fail(problem, argument);
}
