// Lint rule: a module's storage lives in its store (`store.ts` or `store/`); use cases and the
// GraphQL layer talk to the store, never to the database. In the files it is enabled for it
// refuses three things:
//
// - SQL text: a string or template literal that reads as a statement, either by its first word
//   (SELECT, INSERT, UPDATE, DELETE, WITH, … in capitals, as this code base writes SQL, and
//   followed by more: a bare "UPDATE" is a lock mode's name, not a statement) or by a
//   statement's shape anywhere in it (INSERT INTO, DELETE FROM, UPDATE x SET, SELECT … FROM,
//   ON CONFLICT, FOR UPDATE), in capitals too: prose such as "select a currency from the list"
//   is not SQL. A template's parts are joined first, so SQL split around ${…} is still seen.
// - A database call: `.query(…)`, `.exec(…)` (but a regular expression literal's), Prisma's raw calls (`$queryRaw`, `$executeRaw`, and
//   their Unsafe forms, tagged or called) and `$transaction`. This catches SQL built from
//   fragments or constants imported from elsewhere, which no text check can.
// - The Prisma client: any `.prisma` member (deps.db.prisma), the model layer included.
//
// Robust because a statement has to be sent to do anything, and every way to send one passes
// through one of those calls (lower-case SQL included); the text check names the mistake where
// it is written.
/** Capitalised first keyword of a statement (comments before it allowed). */
const STARTS_LIKE_SQL = /^\s*(?:--[^\n]*\n\s*)*(?:SELECT|INSERT|UPDATE|DELETE|WITH|MERGE|LOCK|CREATE|ALTER|DROP|TRUNCATE)\s+\S/;
/** A statement's shape, anywhere in the text. */
const SQL_SHAPE =
  /\b(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE\s+[\w."]+\s+(?:AS\s+\w+\s+)?SET|SELECT\s[\s\S]*?\sFROM\s|ON\s+CONFLICT|FOR\s+(?:UPDATE|SHARE)(?:\s|$))/;

const DATABASE_CALLS = new Set(["query", "exec", "$queryRaw", "$queryRawUnsafe", "$executeRaw", "$executeRawUnsafe", "$transaction"]);

export function looksLikeSql(text) {
  return STARTS_LIKE_SQL.test(text) || SQL_SHAPE.test(text);
}

const propertyName = (member) =>
  member.computed ? (member.property.type === "Literal" ? member.property.value : undefined) : member.property.name;

/** @type {import("eslint").Rule.RuleModule} */
export const storageInStore = {
  meta: {
    type: "problem",
    docs: { description: "SQL, database calls and the Prisma client belong in the module's store" },
    messages: {
      sql: "SQL text belongs in the module's store (store.ts or store/): call a store function instead.",
      call: "'{{name}}' talks to the database: only the module's store (store.ts or store/) does.",
      prisma: "The Prisma client is used in the module's store only (store.ts or store/).",
    },
    schema: [],
  },
  create(context) {
    return {
      Literal(node) {
        if (typeof node.value === "string" && looksLikeSql(node.value)) context.report({ node, messageId: "sql" });
      },
      TemplateLiteral(node) {
        const text = node.quasis.map((quasi) => quasi.value.cooked ?? quasi.value.raw).join(" $x ");
        if (looksLikeSql(text)) context.report({ node, messageId: "sql" });
      },
      MemberExpression(node) {
        const name = propertyName(node);
        if (name === "prisma") context.report({ node, messageId: "prisma" });
        else if (
          DATABASE_CALLS.has(name) &&
          !node.object.regex &&
          (node.parent.type === "TaggedTemplateExpression" || (node.parent.type === "CallExpression" && node.parent.callee === node))
        ) {
          context.report({ node, messageId: "call", data: { name } });
        }
      },
    };
  },
};
