/**
 * `npm run cluster`: starts the test control plane for a person debugging, prints how to reach it, and stops it on
 * Ctrl-C (or SIGTERM), leaving nothing behind.
 */
import { startControlPlane } from "./control-plane.js";

const plane = await startControlPlane();
process.stdout.write(
  [
    `kube-apiserver: ${plane.server}`,
    `kubeconfig:     ${plane.kubeconfig}`,
    "",
    `  export KUBECONFIG=${plane.kubeconfig}`,
    "",
    "Ctrl-C stops etcd and kube-apiserver and removes the folder.",
    "",
  ].join("\n"),
);
const stop = async () => {
  await plane.stop();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
