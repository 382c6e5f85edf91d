// The apache-md5 and apache-crypt packages ship no type declarations.
declare module "apache-md5" {
  /** Returns the $apr1$ (or $1$, when the salt says so) hash of password with the salt taken from salt. */
  export default function apacheMd5(password: string, salt?: string): string;
}
declare module "apache-crypt" {
  /** Returns the traditional DES crypt(3) hash of password with the salt taken from salt. */
  export default function apacheCrypt(password: string, salt?: string): string;
}
