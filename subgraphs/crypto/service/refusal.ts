import { AppError } from "../../shared/errors.ts";
import type { CryptoRefusal } from "../domain/refusal.ts";

export function refusal(problem: CryptoRefusal): AppError {
  return new AppError(problem.code, problem.message, problem.argument ? { argument: problem.argument } : undefined);
}
