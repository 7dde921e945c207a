// `npm run image [-- --oci <file.tar>]`: builds the smoke-gate runner image (images/build.ts) and, with --oci, writes
// it as an OCI archive for `ctr -n k8s.io images import <file.tar>` on a node of the cluster.
import { resolve } from "node:path";
import { checkCommandLine, elapsedStamp, flag, main } from "../toolchain/src/command-line";
import { buildImage, imageName } from "./build";
import { writeOciArchive } from "./oci";

main(async () => {
  const argv = process.argv.slice(2);
  checkCommandLine(argv, { command: "image", usage: "npm run image [-- --oci <file.tar>]", values: ["oci"] });
  const started = Date.now();
  const say = (line: string) => process.stdout.write(`${elapsedStamp(started)} ${line}\n`);
  const image = buildImage(say);
  say(`root filesystem: ${image.rootfs}`);
  const oci = flag(argv, "oci");
  if (oci) {
    const name = imageName().full;
    const { manifest } = await writeOciArchive(image.rootfs, image.config, name, resolve(oci));
    say(`${name} → ${resolve(oci)} (manifest ${manifest.digest})`);
    say(`import: ctr -n k8s.io images import ${resolve(oci)}`);
  }
  return 0;
});
