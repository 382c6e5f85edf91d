/**
 * Reads V8's own %DebugPrint of a function (node --allow-natives-syntax): the state of each of its object literals'
 * computed-key property definitions (MONOMORPHIC, MEGAMORPHIC, ...), in the order V8 printed them.
 */
export function literalDefinitionStates(printed: string): string[] {
  return [...printed.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((m) => m[1] as string);
}
