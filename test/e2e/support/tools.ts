/** The Go-built test tools (tools/build.sh): built when missing, cached outside the repository. */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BUILD = fileURLToPath(new URL("../../../tools/build.sh", import.meta.url));

let binDir: string | undefined;

/** Builds what is missing (minutes, the first time on a machine) and returns the folder of the binaries. */
export function toolsBin(): string {
  binDir ??= execFileSync("bash", [BUILD], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  return binDir;
}

export type ToolName =
  | "kube-apiserver"
  | "etcd"
  | "helm"
  | "kubeconform"
  | "actionlint"
  | "promtool"
  | "oauth2-proxy"
  | "caddy";

export const tool = (name: ToolName): string => join(toolsBin(), name);
