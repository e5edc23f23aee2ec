import { AppError } from "../../shared/errors.ts";
import type { MovementRefusal } from "../domain/money-movement.ts";

export function isRefusal(value: unknown): value is MovementRefusal {
  return typeof value === "object" && value !== null && "code" in value && "message" in value;
}

export function refusal(problem: MovementRefusal): AppError {
  return new AppError(problem.code, problem.message, "argument" in problem ? { argument: problem.argument } : undefined);
}
