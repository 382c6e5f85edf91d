/**
 * What went wrong reading a file, in words: the operator sees this line and nothing else. Its own module: the
 * readers of htpasswd files, certificates and the OIDC configuration need it without the configuration's parser.
 */
const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "it is a folder, not a file",
  ENOTDIR: "a part of its path is not a folder",
  ELOOP: "too many symbolic links",
  EMFILE: "too many open files",
};

export function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code && READ_ERRORS[code]) ?? (error instanceof Error ? error.message : String(error));
}
