// The Dockerfile, read offline: its instructions by stage (dockerfile-ast), lint diagnostics from
// dockerfile-utils (the Docker language server's validator), and this project's own rules, which
// that validator does not have: pinned base images, a non-root user, no ADD, exec-form entry
// points, a HEALTHCHECK or a note on where the probes are, `npm ci` rather than `npm install`.
// Plus .dockerignore's patterns, to tell whether a path reaches the build context.

import { DockerfileParser } from "dockerfile-ast";
import { validate } from "dockerfile-utils";

export interface Instruction {
  readonly keyword: string;
  /** Arguments as written, flags (--from=…) included. */
  readonly args: string[];
  readonly line: number;
}

export interface Stage {
  readonly name: string | undefined;
  /** The base image, with ARG defaults substituted. */
  readonly from: string;
  readonly instructions: Instruction[];
}

export interface ParsedDockerfile {
  readonly stages: Stage[];
  readonly comments: string[];
}

export function parseDockerfile(text: string): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(text);
  const lines = text.split("\n");
  const globalArgs = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const [assignment] = arg.getArgumentsContent()?.split(/\s+/) ?? [];
    const [name, value] = (assignment ?? "").split("=");
    if (name && value !== undefined) globalArgs.set(name, value);
  }
  const substitute = (text: string) => text.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => globalArgs.get(name) ?? whole);
  const stages = dockerfile.getFROMs().map((from) => {
    const instructions = dockerfile
      .getInstructions()
      .filter((instruction) => {
        const line = instruction.getRange().start.line;
        const start = from.getRange().start.line;
        const next = dockerfile.getFROMs().find((other) => other.getRange().start.line > start);
        return line > start && (!next || line < next.getRange().start.line);
      })
      .map((instruction) => ({
        keyword: instruction.getKeyword().toUpperCase(),
        args: argumentsOf(lines, instruction.getRange()),
        line: instruction.getRange().start.line + 1,
      }));
    return { name: from.getBuildStage() ?? undefined, from: substitute(from.getImage() ?? ""), instructions };
  });
  return { stages, comments: dockerfile.getComments().map((comment) => comment.getContent()) };
}

/** An instruction's words after its keyword, flags included, continuation lines joined. */
function argumentsOf(lines: readonly string[], range: { start: { line: number }; end: { line: number } }): string[] {
  const text = lines
    .slice(range.start.line, range.end.line + 1)
    .map((line) => line.replace(/\\\s*$/, ""))
    .join(" ");
  return text.trim().split(/\s+/).slice(1);
}

/** The validator's errors and warnings, as "line N: message". */
export function lintDiagnostics(text: string): string[] {
  return validate(text).map((diagnostic) => `line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`);
}

/** This project's rules; each problem names its line where it has one. */
export function ruleProblems(text: string): string[] {
  const { stages, comments } = parseDockerfile(text);
  const problems: string[] = [];
  const stageNames = new Set(stages.map((stage) => stage.name).filter(Boolean));
  for (const stage of stages) {
    if (stageNames.has(stage.from)) continue;
    const pinned = /@sha256:[0-9a-f]{64}$/.test(stage.from) || /:[^:/]*\d[^:/]*$/.test(stage.from);
    if (!pinned || /:latest$/.test(stage.from)) problems.push(`FROM ${stage.from}: pin the base image to a version tag or a digest`);
  }
  const final = stages.at(-1);
  const user = final?.instructions.filter((instruction) => instruction.keyword === "USER").at(-1);
  if (!user) problems.push("the final stage sets no USER: it would run as root");
  else if (/^(root|0)(:|$)/.test(user.args[0] ?? "")) problems.push(`line ${user.line}: USER ${user.args[0]} is root`);
  for (const stage of stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword === "ADD")
        problems.push(
          `line ${instruction.line}: ADD ${instruction.args.join(" ")}: use COPY (ADD fetches URLs and unpacks archives implicitly)`,
        );
      if ((instruction.keyword === "ENTRYPOINT" || instruction.keyword === "CMD") && !instruction.args[0]?.startsWith("[")) {
        problems.push(
          `line ${instruction.line}: ${instruction.keyword} in shell form: use the JSON form, so that SIGTERM reaches the process`,
        );
      }
      if (instruction.keyword === "RUN" && /\bnpm (install|i)\b/.test(instruction.args.join(" "))) {
        problems.push(`line ${instruction.line}: npm install: use npm ci (the lockfile, exactly)`);
      }
    }
  }
  const healthcheck = final?.instructions.some((instruction) => instruction.keyword === "HEALTHCHECK");
  if (!healthcheck && !comments.some((comment) => /\bprobes?\b/i.test(comment))) {
    problems.push("no HEALTHCHECK and no comment saying where the probes are");
  }
  return problems;
}

/** A .dockerignore as a predicate on repository-relative paths (a path is out if it or a parent matches). */
export function dockerignore(text: string): (path: string) => boolean {
  const patterns = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  if (patterns.some((pattern) => pattern.startsWith("!"))) throw new Error(".dockerignore exceptions (!) are not supported by this check");
  const expressions = patterns.map((pattern) => {
    const source = pattern
      .replace(/^\/+|\/+$/g, "")
      .split("**/")
      .map((part) =>
        part
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*/g, "[^/]*")
          .replace(/\?/g, "[^/]"),
      )
      .join("(?:.*/)?");
    return new RegExp(`^${source}$`);
  });
  return (path) => {
    const parts = path.split("/");
    return parts.some((_, i) => expressions.some((expression) => expression.test(parts.slice(0, i + 1).join("/"))));
  };
}
