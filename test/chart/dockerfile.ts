/**
 * Runs the project's Dockerfile without a Docker engine: a small interpreter for the instructions it uses (ARG,
 * FROM [--platform] … AS, WORKDIR, COPY [--from], RUN, ENV, LABEL, USER, EXPOSE, ENTRYPOINT, CMD). Each stage gets its own
 * folder as its root; COPY takes the build context through .dockerignore; RUN runs with the stage root's WORKDIR
 * as its working folder, with an npm cache of the stage's own. Base-image contents are not reproduced: RUN uses this
 * machine's npm and the Node.js the tests run on, which is the base image's major.
 */
import { execSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";

export interface Stage {
  name: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  labels: Record<string, string>;
  base: string;
  /** FROM's --platform as written; absent means the target platform. */
  platform?: string;
}

/** Joins continuation lines and drops comments. */
export function instructions(dockerfile: string): Array<[string, string]> {
  const lines = dockerfile.replace(/\\\n/g, " ").split("\n");
  return lines
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const space = l.indexOf(" ");
      return [l.slice(0, space).toUpperCase(), l.slice(space + 1).trim()] as [string, string];
    });
}

/** .dockerignore: "*" then "!pattern" exceptions, with "**" for any depth (the subset this project uses). */
export function contextFiles(context: string): string[] {
  const rules = readFileSync(join(context, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const toRegex = (glob: string) =>
    new RegExp(
      `^${glob
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*\*/g, "\u0000")
        .replace(/\*/g, "[^/]*")
        .replace(/\u0000/g, ".*")}$`,
    );
  const compiled = rules.map((r) =>
    r.startsWith("!") ? { include: true, re: toRegex(r.slice(1)) } : { include: false, re: toRegex(r) },
  );
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      const rel = relative(context, full);
      if (rel === ".git" || rel === "node_modules" || rel === "dist") continue;
      if (statSync(full).isDirectory()) walk(full);
      else {
        // A rule that matches a folder matches everything in it, as in Docker.
        const parts = rel.split("/");
        const paths = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
        let included = true;
        for (const rule of compiled) if (paths.some((p) => rule.re.test(p))) included = rule.include;
        if (included) out.push(rel);
      }
    }
  };
  walk(context);
  return out.sort();
}

const json = (text: string) => JSON.parse(text) as string[];

export function build(dockerfile: string, context: string, workspace: string): Stage[] {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const files = contextFiles(context);
  const expand = (s: string) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a, b) => args[a ?? b] ?? "");
  let stage: Stage | undefined;
  for (const [op, rest] of instructions(dockerfile)) {
    const here = (p: string) => join(stage!.root, p.startsWith("/") ? p : join(stage!.workdir, p));
    switch (op) {
      case "ARG": {
        const [k, v] = rest.split("=");
        if (k !== undefined && !(k in args)) args[k] = v ?? "";
        break;
      }
      case "FROM": {
        // "--platform=…" is kept, unexpanded, as written: the automatic platform arguments are BuildKit's own.
        const words = rest.split(/\s+/);
        const platform = words[0]?.startsWith("--platform=") ? words.shift()?.slice(11) : undefined;
        const [base, , name] = expand(words.join(" ")).split(/\s+/);
        stage = {
          name: name ?? `stage${stages.length}`,
          root: join(workspace, `stage${stages.length}`),
          workdir: "/",
          env: {},
          labels: {},
          base: base ?? "",
          platform,
        };
        mkdirSync(stage.root, { recursive: true });
        stages.push(stage);
        break;
      }
      case "WORKDIR":
        stage!.workdir = rest;
        mkdirSync(here("."), { recursive: true });
        break;
      case "COPY": {
        const parts = rest.split(/\s+/);
        const from = parts[0]?.startsWith("--from=") ? parts.shift()?.slice(7) : undefined;
        const dest = parts.pop() as string;
        for (const src of parts) {
          const target = here(dest);
          if (from) {
            const source = stages.find((s) => s.name === from)!;
            cpSync(join(source.root, src.startsWith("/") ? src : join(source.workdir, src)), target, {
              recursive: true,
            });
            continue;
          }
          const dir = src.replace(/\/$/, "");
          if (files.includes(dir)) {
            const intoDir = dest.endsWith("/") || parts.length > 1;
            const finalTarget = intoDir ? join(target, basename(dir)) : target;
            mkdirSync(dirname(finalTarget), { recursive: true });
            cpSync(join(context, dir), finalTarget);
            continue;
          }
          const inside = files.filter((f) => f.startsWith(`${dir}/`));
          if (inside.length === 0) throw new Error(`COPY ${src}: not in the build context (check .dockerignore)`);
          for (const f of inside) {
            const finalTarget = join(target, relative(dir, f));
            mkdirSync(dirname(finalTarget), { recursive: true });
            cpSync(join(context, f), finalTarget);
          }
        }
        break;
      }
      case "RUN":
        // The stage's own npm cache, as an image build has: the Dockerfile's "npm cache clean --force" must never
        // reach this machine's cache (another npm may be using it).
        execSync(rest, {
          cwd: here("."),
          stdio: "pipe",
          env: { ...process.env, npm_config_cache: join(stage!.root, ".npm-cache"), ...stage!.env },
        });
        break;
      case "ENV": {
        const [k, v] = rest.split("=");
        stage!.env[k as string] = v ?? "";
        break;
      }
      case "LABEL":
        for (const m of rest.matchAll(/([\w.-]+)="([^"]*)"/g)) stage!.labels[m[1] as string] = m[2] as string;
        break;
      case "USER":
        stage!.user = rest;
        break;
      case "ENTRYPOINT":
        stage!.entrypoint = json(rest);
        break;
      case "CMD":
        stage!.cmd = json(rest);
        break;
      case "EXPOSE":
        break;
      default:
        throw new Error(`Dockerfile instruction ${op} is not supported by this interpreter`);
    }
  }
  if (!stage || !existsSync(stage.root)) throw new Error("Dockerfile has no stage");
  return stages;
}
