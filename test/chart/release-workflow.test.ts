/**
 * The release path cannot run here (no runner, no registry), so its shape is held instead: actionlint (with
 * shellcheck over the run: scripts) finds nothing in the workflows, and release.yml keeps the properties a release
 * depends on: the tag check before any build, both platforms, image and chart pushed to ghcr.io as OCI artifacts with
 * provenance, the chart's default image being the one pushed, least-privilege permissions and pinned actions. The
 * tag check itself is a script, run here against this checkout and a copy that disagrees.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { tool } from "../e2e/support/tools.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WORKFLOWS = join(ROOT, ".github/workflows");
const CHECK = join(ROOT, "scripts/check-release-version.sh");

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflowFiles = readdirSync(WORKFLOWS)
  .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
  .map((f) => join(WORKFLOWS, f));
const workflow = (name: string) => parse(readFileSync(join(WORKFLOWS, name), "utf8")) as Workflow;
const release = workflow("release.yml");
const values = parse(readFileSync(join(ROOT, "charts/rbac-gate/values.yaml"), "utf8")) as {
  image: { repository: string };
};
const chart = parse(readFileSync(join(ROOT, "charts/rbac-gate/Chart.yaml"), "utf8")) as {
  name: string;
  version: string;
};
const packageVersion = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

const job = (name: string): Job => {
  const found = release.jobs[name];
  if (!found) throw new Error(`release.yml has no job ${name}`);
  return found;
};
/** The steps of a job that use ACTION (owner/name), whatever its pin. */
const using = (j: Job, action: string) => j.steps.filter((s) => s.uses?.startsWith(`${action}@`));
const only = <T>(list: T[]): T => {
  expect(list).toHaveLength(1);
  return list[0] as T;
};
const needs = (j: Job) => (j.needs === undefined ? [] : [j.needs].flat());
/** A GitHub Actions expression as written in a workflow: ${{ EXPRESSION }}. */
const expr = (expression: string) => `\${{ ${expression} }}`;
const checkVersion = (tag: string, root?: string) =>
  spawnSync("bash", [CHECK, tag, ...(root ? [root] : [])], { encoding: "utf8" });

describe("the release workflows", () => {
  it("pass actionlint, with shellcheck over their run: scripts, without a finding", () => {
    // actionlint skips the run: scripts silently when shellcheck is missing (.ci/run installs it).
    expect(spawnSync("shellcheck", ["--version"]).status, "shellcheck is not on PATH").toBe(0);
    expect(workflowFiles.map((f) => f.slice(WORKFLOWS.length + 1)).sort()).toEqual(["ci.yml", "release.yml"]);
    const lint = spawnSync(tool("actionlint"), ["-no-color", ...workflowFiles], { cwd: ROOT, encoding: "utf8" });
    expect(lint.stdout + lint.stderr).toBe("");
    expect(lint.status).toBe(0);
  });

  it("let actionlint report a run: script's shellcheck finding, so the lint above can fail", () => {
    const dir = mkdtempSync(join(tmpdir(), "rbac-gate-actionlint-"));
    const file = join(dir, "unquoted.yml");
    writeFileSync(file, "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo $FOO\n");
    const lint = spawnSync(tool("actionlint"), ["-no-color", file], { encoding: "utf8" });
    expect(lint.status).toBe(1);
    expect(lint.stdout).toContain("SC2086");
  });

  it("pin every action to a full commit SHA with its version beside it", () => {
    for (const file of workflowFiles) {
      const uses = readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => /^\s*(- )?uses:/.test(l));
      expect(uses.length).toBeGreaterThan(0);
      for (const line of uses) expect(line, file).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });
});

describe("the release workflow", () => {
  it("runs for version tags only", () => {
    expect(Object.keys(release.on)).toEqual(["push"]);
    expect(release.on.push).toEqual({ tags: ["v*.*.*"] });
  });

  it("builds nothing until the tag equals package.json's version and the chart's version and appVersion", () => {
    const check = only(job("version").steps.filter((s) => s.run?.includes("scripts/check-release-version.sh")));
    expect(check.env?.TAG).toBe(expr("github.ref_name"));
    expect(check.run).toContain('"$TAG"');
    expect(needs(job("image"))).toContain("version");
    expect(needs(job("chart"))).toEqual(expect.arrayContaining(["version", "image"]));
    expect(Object.keys(release.jobs).sort()).toEqual(["chart", "image", "version"]);
  });

  it("fails its version step, as GitHub runs it (bash -eo pipefail), when the tag names another version", () => {
    const check = only(job("version").steps.filter((s) => s.run?.includes("scripts/check-release-version.sh")));
    const step = (tag: string) => {
      const output = join(mkdtempSync(join(tmpdir(), "rbac-gate-step-")), "output");
      writeFileSync(output, "");
      const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", check.run ?? ""], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, TAG: tag, GITHUB_OUTPUT: output },
      });
      return { status: result.status, output: readFileSync(output, "utf8") };
    };
    expect(step("v999.0.0")).toEqual({ status: 1, output: "" });
    expect(step(`v${packageVersion}`)).toEqual({ status: 0, output: `version=${packageVersion}\n` });
  });

  it("releases only commits on main", () => {
    const steps = job("version").steps;
    expect(using(job("version"), "actions/checkout")[0]?.with?.["fetch-depth"]).toBe(0);
    expect(steps.some((s) => s.run?.includes('git merge-base --is-ancestor "$GITHUB_SHA" origin/main'))).toBe(true);
  });

  it("builds the image for linux/amd64 and linux/arm64 and pushes it with full provenance and an SBOM", () => {
    const steps = job("image").steps;
    const build = only(using(job("image"), "docker/build-push-action"));
    expect(
      String(build.with?.platforms)
        .split(",")
        .map((p) => p.trim())
        .sort(),
    ).toEqual(["linux/amd64", "linux/arm64"]);
    expect(build.with?.push).toBe(true);
    expect(build.with?.provenance).toBe("mode=max");
    expect(build.with?.sbom).toBe(true);
    expect(build.with?.context).toBe(".");
    // Emulation and the builder are set up before the build that needs them.
    const at = (action: string) => steps.indexOf(only(using(job("image"), action)));
    expect(at("docker/setup-qemu-action")).toBeLessThan(at("docker/build-push-action"));
    expect(at("docker/setup-buildx-action")).toBeLessThan(at("docker/build-push-action"));
    expect(at("docker/login-action")).toBeLessThan(at("docker/build-push-action"));
    expect(only(using(job("image"), "docker/setup-qemu-action")).with?.platforms).toBe("arm64");
  });

  it("pushes to ghcr.io the image the chart installs by default, tagged with the chart's appVersion", () => {
    expect(release.env?.IMAGE).toBe(values.image.repository);
    expect(values.image.repository).toMatch(/^ghcr\.io\//);
    const login = only(using(job("image"), "docker/login-action"));
    expect(login.with?.registry).toBe("ghcr.io");
    expect(login.with?.password).toBe(expr("secrets.GITHUB_TOKEN"));
    const meta = only(using(job("image"), "docker/metadata-action"));
    expect(meta.with?.images).toBe(expr("env.IMAGE"));
    // {{version}} drops the tag's "v": the tag the chart's default image (appVersion) names.
    expect(String(meta.with?.tags).split("\n")).toContain("type=semver,pattern={{version}}");
    const build = only(using(job("image"), "docker/build-push-action"));
    expect(build.with?.tags).toBe(expr(`steps.${meta.id}.outputs.tags`));
  });

  it("attests the provenance of the pushed image's digest in the registry", () => {
    const build = only(using(job("image"), "docker/build-push-action"));
    const attest = only(using(job("image"), "actions/attest-build-provenance"));
    expect(attest.with?.["subject-name"]).toBe(expr("env.IMAGE"));
    expect(attest.with?.["subject-digest"]).toBe(expr(`steps.${build.id}.outputs.digest`));
    expect(attest.with?.["push-to-registry"]).toBe(true);
  });

  it("pushes the packaged chart to ghcr.io as an OCI artifact and attests both the package and the pushed chart", () => {
    const chartJob = job("chart");
    const runs = chartJob.steps.map((s) => s.run ?? "").join("\n");
    const packaged = /helm package charts\/rbac-gate --destination (\S+)/.exec(runs)?.[1];
    expect(packaged).toBeDefined();
    expect(runs).toContain(`helm push "${packaged}/${chart.name}-$VERSION.tgz" "oci://$CHART_REPOSITORY"`);
    expect(runs).toContain("helm registry login ghcr.io");
    expect(release.env?.CHART_REPOSITORY).toMatch(/^ghcr\.io\/[a-z0-9-]+\/charts$/);
    expect(chartJob.env?.VERSION).toBe(expr("needs.version.outputs.version"));
    const [ofPackage, ofPushed] = using(chartJob, "actions/attest-build-provenance");
    expect(ofPackage?.with?.["subject-path"]).toBe(`${packaged}/${chart.name}-${expr("env.VERSION")}.tgz`);
    const push = only(chartJob.steps.filter((s) => s.run?.includes("helm push")));
    expect(ofPushed?.with?.["subject-name"]).toBe(`${expr("env.CHART_REPOSITORY")}/${chart.name}`);
    expect(ofPushed?.with?.["subject-digest"]).toBe(expr(`steps.${push.id}.outputs.digest`));
    expect(ofPushed?.with?.["push-to-registry"]).toBe(true);
  });

  it("grants nothing by default and each job only what it uses", () => {
    expect(release.permissions).toEqual({});
    const publish = { contents: "read", packages: "write", "id-token": "write", attestations: "write" };
    expect(job("version").permissions).toEqual({ contents: "read" });
    expect(job("image").permissions).toEqual(publish);
    expect(job("chart").permissions).toEqual(publish);
    expect(readFileSync(join(WORKFLOWS, "release.yml"), "utf8")).not.toMatch(/write-all|read-all/);
  });
});

describe("scripts/check-release-version.sh", () => {
  it("accepts the tag of the version the repository carries and prints it without the v", () => {
    const result = checkVersion(`v${packageVersion}`);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe(packageVersion);
    expect(result.status).toBe(0);
    expect(chart.version).toBe(packageVersion);
  });

  it("refuses a tag of another version, naming every file that disagrees", () => {
    const result = checkVersion("v999.0.0");
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    for (const what of ["package.json version", "Chart.yaml version", "Chart.yaml appVersion", "Dockerfile label"])
      expect(result.stderr).toContain(what);
  });

  it("refuses the release when only the chart's appVersion disagrees", () => {
    const copy = mkdtempSync(join(tmpdir(), "rbac-gate-release-"));
    mkdirSync(join(copy, "charts/rbac-gate"), { recursive: true });
    for (const f of ["package.json", "Dockerfile"]) cpSync(join(ROOT, f), join(copy, f));
    const chartYaml = readFileSync(join(ROOT, "charts/rbac-gate/Chart.yaml"), "utf8");
    const stale = chartYaml.replace(/^appVersion: .*$/m, 'appVersion: "0.0.1-stale"');
    expect(stale).not.toBe(chartYaml);
    writeFileSync(join(copy, "charts/rbac-gate/Chart.yaml"), stale);
    const result = checkVersion(`v${packageVersion}`, copy);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      `::error::tag v${packageVersion}: charts/rbac-gate/Chart.yaml appVersion is '0.0.1-stale', expected '${packageVersion}'`,
    ]);
  });

  it("refuses a tag that is not vMAJOR.MINOR.PATCH", () => {
    for (const tag of [packageVersion, `v${packageVersion}.1`, "vnext"]) expect(checkVersion(tag).status).toBe(1);
  });
});

describe("the CI workflow", () => {
  it("runs .ci/run on pushes and pull requests", () => {
    const ci = workflow("ci.yml");
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push"]);
    const runs = Object.values(ci.jobs).flatMap((j) => j.steps.map((s) => s.run ?? ""));
    expect(runs.some((r) => /(^|\s)bash \.ci\/run$/.test(r))).toBe(true);
  });
});
