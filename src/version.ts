/** The version of this build, from package.json (shipped beside dist/ in the image). */
import { createRequire } from "node:module";

export const VERSION: string = (createRequire(import.meta.url)("../package.json") as { version: string }).version;
