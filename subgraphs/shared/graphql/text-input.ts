// The text rule (shared/text.ts) applied to a whole GraphQL request before anything runs: every
// string argument, literal or variable, at any depth (input objects, lists, JSON scalars and
// their keys), is checked once, and a request holding unstorable text is refused with
// BAD_USER_INPUT naming the argument. Subgraphs apply it to every operation they execute (HTTP
// and graphql-ws), so it holds behind any gateway; the gateway applies it too, so a bad request
// is refused at the edge without a subgraph call.

import { GraphQLError, Kind, visit, type DocumentNode, type ValueNode } from "graphql";
import { findTextFault, textFault, textFaultMessage, type TextProblem } from "../text.ts";

/**
 * What a document's arguments hold, once per document: the first unstorable literal, and where
 * each variable is used (by argument path), so a request is then checked against its variables
 * without walking the document again.
 */
export interface DocumentText {
  readonly literal: TextProblem | undefined;
  /** Each variable where it is first used (its path names it in a refusal). */
  readonly uses: readonly { readonly variable: string; readonly path: string }[];
}

// Documents are parsed once per text (Apollo Server's and the gateway runtime's caches hand out
// the same DocumentNode again): so is what their arguments hold.
const texts = new WeakMap<DocumentNode, DocumentText>();

export function documentText(document: DocumentNode): DocumentText {
  let text = texts.get(document);
  if (!text) texts.set(document, (text = readDocumentText(document)));
  return text;
}

function readDocumentText(document: DocumentNode): DocumentText {
  let literal: TextProblem | undefined;
  const uses: { variable: string; path: string }[] = [];
  const inValue = (node: ValueNode, path: string): void => {
    switch (node.kind) {
      case Kind.STRING: {
        const fault = textFault(node.value);
        if (fault) literal ??= { argument: path, fault };
        return;
      }
      case Kind.LIST:
        for (const [i, item] of node.values.entries()) inValue(item, `${path}.${i}`);
        return;
      case Kind.OBJECT:
        for (const field of node.fields) inValue(field.value, `${path}.${field.name.value}`);
        return;
      case Kind.VARIABLE:
        // A value is checked whole wherever it is used, so once is enough.
        if (!uses.some((use) => use.variable === node.name.value)) uses.push({ variable: node.name.value, path });
        return;
      default:
        return;
    }
  };
  visit(document, {
    Argument(node) {
      inValue(node.value, node.name.value);
      return false;
    },
    VariableDefinition(node) {
      if (node.defaultValue) inValue(node.defaultValue, `$${node.variable.name.value}`);
      return false;
    },
  });
  return { literal, uses };
}

/** The first unstorable text among a request's arguments (its document's text, and its variables), or undefined. */
export function findMalformedIn(
  text: DocumentText,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): TextProblem | undefined {
  if (text.literal) return text.literal;
  if (!variables) return undefined;
  for (const use of text.uses) {
    const problem = findTextFault(variables[use.variable], use.path);
    if (problem) return problem;
  }
  // Variables the document never uses are not executed, but they are stored nowhere either: a
  // request is refused for what it sends, so that no text check depends on where a value flows.
  // (Those it uses were checked whole above: an entity fetch's representations once, not twice.)
  for (const [name, value] of Object.entries(variables)) {
    if (text.uses.some((use) => use.variable === name)) continue;
    const problem = findTextFault(value, `$${name}`);
    if (problem) return problem;
  }
  return undefined;
}

/** The first unstorable text among the request's arguments, or undefined. */
export function findMalformedArgument(
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): TextProblem | undefined {
  return findMalformedIn(documentText(document), variables);
}

/** The refusal for a request holding unstorable text. */
export function malformedTextError(problem: TextProblem, status = 400): GraphQLError {
  return new GraphQLError(textFaultMessage(problem.argument, problem.fault), {
    extensions: { code: "BAD_USER_INPUT", argument: problem.argument, http: { status } },
  });
}
