// How the gateway resumes a subscription without loss when its upstream socket drops.
//
// A resumable subscription field takes `after: ID` (an event id) and streams objects with an
// `id` that is also the cursor. The gateway rewrites the planner's primary fetch so that it
//   - always selects the cursor (`_mgCursor: id`), whatever the client asked for;
//   - takes its position from gateway-owned variables: `after: $mgAfter` and, for a stream that
//     has not seen an event yet and started before the account had any, the subgraph's
//     @inaccessible `fromStart: $mgFromStart`;
//   - asks for the balances first (`current: $mgCurrent`) only on the first subscribe of a client
//     that asked for them: a resumed stream continues after its last event, which those balances
//     precede (the subgraph sends them in event order, so any not yet received come again after it).
// On (re)subscribe the position is the last event received, or the start position taken when
// the client subscribed: its own `after`, else the newest event at that moment (asked through
// the subgraph's @inaccessible position query), else "from the start".

import {
  GraphQLBoolean,
  GraphQLID,
  Kind,
  parse,
  print,
  valueFromAST,
  visit,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLInputType,
  type OperationDefinitionNode,
  type ValueNode,
  type VariableDefinitionNode,
} from "graphql";

/** The resumable subscription fields, by name, and the query that tells where "now" is. */
const RESUMABLE: Readonly<Record<string, { readonly positionQuery: string; readonly keyArgument: string }>> = {
  balanceChanged: { positionQuery: "_latestBalanceEvent", keyArgument: "accountId" },
};

export const CURSOR_ALIAS = "_mgCursor";
const AFTER_VARIABLE = "mgAfter";
const FROM_START_VARIABLE = "mgFromStart";
const CURRENT_VARIABLE = "mgCurrent";
/** The arguments the gateway sets itself, each from a variable of its own (`current` from the client's on the first subscribe only). */
const GATEWAY_SET = [
  { argument: "after", variable: AFTER_VARIABLE, type: "ID" },
  { argument: "fromStart", variable: FROM_START_VARIABLE, type: "Boolean" },
  { argument: "current", variable: CURRENT_VARIABLE, type: "Boolean" },
] as const;
const GATEWAY_ARGUMENTS = new Set<string>(GATEWAY_SET.map((each) => each.argument));
const GATEWAY_VARIABLES = new Set<string>(GATEWAY_SET.map((each) => each.variable));

export type Position = { readonly after: string } | { readonly fromStart: true };

type Variables = Readonly<Record<string, unknown>>;

export interface ResumablePrimary {
  /** The rewritten primary operation, sent to the subgraph. */
  readonly query: string;
  readonly operationName: string | undefined;
  /** The response name of the root field in the primary result (its alias, if any). */
  readonly responseName: string;
  /** The client's own `after`, if it gave one. */
  originalAfter(variables: Variables): string | null;
  /** Whether the client asked for the balances first (`current: true`). */
  originalCurrent(variables: Variables): boolean;
  /** The query for the newest event now: its text, variables, and the field that answers. */
  positionQuery(variables: Variables): { query: string; variables: Record<string, unknown>; field: string };
  /** Variables for the primary fetch from this position (with the balances first when `current`). */
  variables(clientVariables: Variables, position: Position, current?: boolean): Record<string, unknown>;
}

function argumentValue(field: FieldNode, name: string, variables: Variables, type: GraphQLInputType = GraphQLID): unknown {
  const node = field.arguments?.find((argument) => argument.name.value === name)?.value;
  return node ? valueFromAST(node, type, variables as Record<string, unknown>) : undefined;
}

const variable = (name: string): ValueNode => ({ kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } });
const argument = (name: string, value: ValueNode): ArgumentNode => ({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: name }, value });
const definition = (name: string, type: string): VariableDefinitionNode => ({
  kind: Kind.VARIABLE_DEFINITION,
  variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } },
  type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: type } },
});

/**
 * The resumable form of a primary fetch, or undefined when its root field is not resumable
 * (such a subscription ends with an error when its upstream is lost).
 */
export function resumablePrimary(operation: string): ResumablePrimary | undefined {
  const document = parse(operation);
  const original = document.definitions.find((node): node is OperationDefinitionNode => node.kind === Kind.OPERATION_DEFINITION);
  const root = original?.selectionSet.selections[0];
  if (!original || root?.kind !== Kind.FIELD || original.selectionSet.selections.length !== 1) return undefined;
  const spec = RESUMABLE[root.name.value];
  if (!spec) return undefined;

  const field: FieldNode = {
    ...root,
    arguments: [
      ...(root.arguments ?? []).filter((node) => !GATEWAY_ARGUMENTS.has(node.name.value)),
      ...GATEWAY_SET.map((each) => argument(each.argument, variable(each.variable))),
    ],
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: [
        ...(root.selectionSet?.selections ?? []),
        { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: CURSOR_ALIAS }, name: { kind: Kind.NAME, value: "id" } },
      ],
    },
  };
  const rewritten: OperationDefinitionNode = {
    ...original,
    selectionSet: { ...original.selectionSet, selections: [field] },
    variableDefinitions: [...(original.variableDefinitions ?? []), ...GATEWAY_SET.map((each) => definition(each.variable, each.type))],
  };
  // A client variable that only fed `after` is now unused, which GraphQL refuses: drop it.
  const used = new Set<string>();
  visit(rewritten.selectionSet, { Variable: (node) => void used.add(node.name.value) });
  const variableDefinitions = (rewritten.variableDefinitions ?? []).filter((node) => used.has(node.variable.name.value));
  // Fragments (the planner names repeated selections) go along as they were.
  const definitions = document.definitions.map((node) => (node === original ? { ...rewritten, variableDefinitions } : node));
  const query = print({ kind: Kind.DOCUMENT, definitions } satisfies DocumentNode);
  const forwarded = variableDefinitions.map((node) => node.variable.name.value).filter((name) => !GATEWAY_VARIABLES.has(name));

  return {
    query,
    operationName: original.name?.value,
    responseName: root.alias?.value ?? root.name.value,
    originalAfter(variables) {
      const after = argumentValue(root, "after", variables);
      return typeof after === "string" ? after : null;
    },
    originalCurrent(variables) {
      return argumentValue(root, "current", variables, GraphQLBoolean) === true;
    },
    positionQuery(variables) {
      const key = argumentValue(root, spec.keyArgument, variables);
      return {
        query: `query GatewayPosition($key: ID!) { ${spec.positionQuery}(${spec.keyArgument}: $key) }`,
        variables: { key },
        field: spec.positionQuery,
      };
    },
    variables(clientVariables, position, current = false) {
      const variables: Record<string, unknown> = {};
      for (const name of forwarded) if (name in clientVariables) variables[name] = clientVariables[name];
      variables[AFTER_VARIABLE] = "after" in position ? position.after : null;
      variables[FROM_START_VARIABLE] = "fromStart" in position ? true : null;
      variables[CURRENT_VARIABLE] = current;
      return variables;
    },
  };
}

/** The cursor of one primary result, if the rewritten fetch produced one. */
export function cursorOf(data: unknown, responseName: string): string | undefined {
  const root = (data as Record<string, unknown> | null | undefined)?.[responseName] as Record<string, unknown> | null | undefined;
  const cursor = root?.[CURSOR_ALIAS];
  return typeof cursor === "string" ? cursor : undefined;
}
