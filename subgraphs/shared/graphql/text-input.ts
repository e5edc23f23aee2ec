// The text rule (shared/text.ts) applied to a whole GraphQL request before anything runs: every
// string argument, literal or variable, at any depth (input objects, lists, JSON scalars and
// their keys), is checked once, and a request holding unstorable text is refused with
// BAD_USER_INPUT naming the argument. Subgraphs apply it to every operation they execute (HTTP
// and graphql-ws), so it holds behind any gateway; the gateway applies it too, so a bad request
// is refused at the edge without a subgraph call.

import { GraphQLError, Kind, visit, type DocumentNode, type ValueNode } from "graphql";
import { findTextFault, textFault, textFaultMessage, type TextProblem } from "../text.ts";

/** The first unstorable text among the request's arguments, or undefined. */
export function findMalformedArgument(document: DocumentNode, variables: Readonly<Record<string, unknown>> | null | undefined): TextProblem | undefined {
  let problem: TextProblem | undefined;
  const inValue = (node: ValueNode, path: string): TextProblem | undefined => {
    switch (node.kind) {
      case Kind.STRING: {
        const fault = textFault(node.value);
        return fault ? { argument: path, fault } : undefined;
      }
      case Kind.LIST:
        for (const [i, item] of node.values.entries()) {
          const found = inValue(item, `${path}.${i}`);
          if (found) return found;
        }
        return undefined;
      case Kind.OBJECT:
        for (const field of node.fields) {
          const found = inValue(field.value, `${path}.${field.name.value}`);
          if (found) return found;
        }
        return undefined;
      case Kind.VARIABLE:
        return findTextFault(variables?.[node.name.value], path);
      default:
        return undefined;
    }
  };
  visit(document, {
    Argument(node) {
      problem ??= inValue(node.value, node.name.value);
      return false;
    },
    VariableDefinition(node) {
      if (node.defaultValue) problem ??= inValue(node.defaultValue, `$${node.variable.name.value}`);
      return false;
    },
  });
  // Variables the document never uses are not executed, but they are stored nowhere either: a
  // request is refused for what it sends, so that no text check depends on where a value flows.
  if (!problem && variables) {
    for (const [name, value] of Object.entries(variables)) {
      problem = findTextFault(value, `$${name}`);
      if (problem) break;
    }
  }
  return problem;
}

/** The refusal for a request holding unstorable text. */
export function malformedTextError(problem: TextProblem, status = 400): GraphQLError {
  return new GraphQLError(textFaultMessage(problem.argument, problem.fault), {
    extensions: { code: "BAD_USER_INPUT", argument: problem.argument, http: { status } },
  });
}
