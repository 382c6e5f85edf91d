/** The oldest Node.js major rbac-gate runs on: the LTS the image and the tests use. */
export const MINIMUM_NODE_MAJOR = 24;

/** Why this Node.js cannot run rbac-gate, or undefined when it can. */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number.parseInt(version, 10);
  if (Number.isInteger(major) && major >= MINIMUM_NODE_MAJOR) return undefined;
  return `Node.js ${MINIMUM_NODE_MAJOR} or newer is needed, this is ${version} (the image and \`npm start\` bring their own)`;
}
