/**
 * The CA bundle of clientCertificates.caFile: PEM certificates, each a CA. Read once when the service is built (a
 * configuration reload reads it again); every problem is returned, never thrown.
 */
import { X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { pemCertificates } from "../request/client-certificate.js";

export async function readCaBundle(
  path: string,
): Promise<{ readonly authorities: readonly X509Certificate[]; readonly problems: readonly string[] }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    return { authorities: [], problems: [`clientCertificates.caFile ${path} cannot be read: ${String(error)}`] };
  }
  const blocks = pemCertificates(text);
  if (blocks === undefined) {
    return { authorities: [], problems: [`clientCertificates.caFile ${path} must hold PEM certificates only`] };
  }
  const authorities: X509Certificate[] = [];
  const problems: string[] = [];
  blocks.forEach((pem, i) => {
    try {
      const cert = new X509Certificate(pem);
      if (cert.ca) authorities.push(cert);
      else
        problems.push(`clientCertificates.caFile ${path} has certificate ${i + 1} that is not a CA (${cert.subject})`);
    } catch {
      problems.push(`clientCertificates.caFile ${path} has certificate ${i + 1} that cannot be parsed`);
    }
  });
  return { authorities, problems };
}
