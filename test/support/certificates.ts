/**
 * Test CAs and client certificates made by the real openssl in a private temporary folder: `openssl req -x509` for
 * a CA, `openssl ca` for the certificates it signs (its -startdate/-enddate make expired and not-yet-valid ones).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCa {
  readonly name: string;
  readonly dir: string;
  readonly certFile: string;
  readonly pem: string;
}

export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly pem: string;
}

const openssl = (args: string[], cwd: string) =>
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });

export function certificateFolder(): string {
  return mkdtempSync(join(tmpdir(), "rbac-gate-certs-"));
}

export function makeCa(root: string, name: string): TestCa {
  const dir = join(root, name);
  mkdirSync(join(dir, "issued"), { recursive: true });
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), "1000\n");
  writeFileSync(
    join(dir, "ca.cnf"),
    [
      "[ca]",
      "default_ca = ca_default",
      "[ca_default]",
      `database = ${join(dir, "index.txt")}`,
      `new_certs_dir = ${join(dir, "issued")}`,
      `serial = ${join(dir, "serial")}`,
      "default_md = sha256",
      "policy = policy_any",
      "unique_subject = no",
      "preserve = yes",
      "x509_extensions = client",
      "[policy_any]",
      "organizationName = optional",
      "commonName = optional",
      "[client]",
      "basicConstraints = CA:FALSE",
      "keyUsage = digitalSignature",
      "extendedKeyUsage = clientAuth",
      "[server]",
      "basicConstraints = CA:FALSE",
      "extendedKeyUsage = serverAuth",
      "subjectAltName = IP:127.0.0.1",
      "",
    ].join("\n"),
  );
  openssl(
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"].concat([
      "-keyout",
      "ca.key",
      "-out",
      "ca.crt",
      "-subj",
      `/CN=${name}`,
      "-days",
      "3",
    ]),
    dir,
  );
  const certFile = join(dir, "ca.crt");
  return { name, dir, certFile, pem: readFileSync(certFile, "utf8") };
}

export interface IssueOptions {
  /** openssl's YYYYMMDDHHMMSSZ; default: now. */
  readonly start?: string;
  /** openssl's YYYYMMDDHHMMSSZ; default: two days from now. */
  readonly end?: string;
  /** The extension section of the CA's configuration: "client" (default) or "server". */
  readonly extensions?: "client" | "server";
}

/** A certificate for `subject` (openssl's -subj form, e.g. "/O=team-a/O=devs/CN=alice") signed by the CA. */
export function issue(ca: TestCa, file: string, subject: string, options: IssueOptions = {}): TestCertificate {
  const keyFile = join(ca.dir, `${file}.key`);
  const certFile = join(ca.dir, `${file}.crt`);
  const csr = join(ca.dir, `${file}.csr`);
  openssl(
    ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", keyFile].concat([
      "-out",
      csr,
      "-subj",
      subject,
    ]),
    ca.dir,
  );
  const dates = [
    ...(options.start ? ["-startdate", options.start] : []),
    ...(options.end ? ["-enddate", options.end] : ["-days", "2"]),
  ];
  openssl(
    ["ca", "-batch", "-config", "ca.cnf", "-cert", "ca.crt", "-keyfile", "ca.key", "-notext", "-in", csr].concat([
      "-out",
      certFile,
      "-extensions",
      options.extensions ?? "client",
      ...dates,
    ]),
    ca.dir,
  );
  return { certFile, keyFile, pem: readFileSync(certFile, "utf8") };
}
