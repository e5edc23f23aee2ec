// A subgraph's stand-in for an entity another subgraph owns: just its key. `contributes: true`
// when this subgraph adds fields to the entity (it then resolves references to it, e.g. the
// balances subgraph's Account with `balances`); false for a plain pointer the gateway follows to
// the owner (`resolvable: false`). Each call makes a class of its own: one per subgraph schema.

import { Directive, Field, ID, ObjectType } from "type-graphql";

export function EntityReference(typeName: string, options: { contributes: boolean; description?: string }) {
  @Directive(options.contributes ? '@key(fields: "id")' : '@key(fields: "id", resolvable: false)')
  @ObjectType(typeName, options.description ? { description: options.description } : {})
  class Reference {
    @Field(() => ID)
    id!: string;

    static ref(id: string): Reference {
      return Object.assign(new Reference(), { id });
    }
  }
  return Reference;
}
