/**
 * `clientCertificates:`: the CAs whose client certificates rbac-gate accepts (kind "client-certificate"), as the
 * kube-apiserver's --client-ca-file. Absent by default: then no route accepts client certificates.
 */
import { mapping, type SchemaContext, text } from "./leaves.js";

export const clientCertificates = (context: SchemaContext) =>
  mapping({ caFile: text("a PEM file of CA certificates") }).transform(({ caFile }) => ({
    caFile: context.resolvePath(caFile),
  }));
