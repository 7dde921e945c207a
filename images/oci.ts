// Writes an OCI image layout archive (what `docker save`/`ctr images export` produce and `ctr images import`,
// `skopeo copy oci-archive:` and `podman load` read) from a root filesystem directory: one gzip layer, the image
// config, the manifest and index.json. No daemon, no registry.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import { run } from "../toolchain/src/exec";

/** The runtime part of an OCI image config (what Dockerfile USER, ENV, WORKDIR, ENTRYPOINT and CMD set). */
export interface ImageRuntimeConfig {
  User?: string;
  Env?: string[];
  WorkingDir?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Labels?: Record<string, string>;
}

export interface Blob {
  mediaType: string;
  digest: string;
  size: number;
}

const sha256 = (data: string | Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** tar of the root filesystem → gzip, hashing both streams: the layer digest (gzip) and its diff id (tar). */
async function writeLayer(rootfs: string, blobsDir: string): Promise<Blob & { diffId: string }> {
  const tmp = join(blobsDir, "layer.tmp");
  const tarHash = createHash("sha256");
  const gzHash = createHash("sha256");
  let size = 0;
  const tar = spawn("tar", ["--numeric-owner", "--sort=name", "-C", rootfs, "-cf", "-", "."], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const gzip = createGzip({ level: 1 });
  const file = createWriteStream(tmp);
  let stderr = "";
  tar.stderr.on("data", (d) => {
    stderr += d;
  });
  tar.stdout.on("data", (d: Buffer) => tarHash.update(d));
  gzip.on("data", (d: Buffer) => {
    gzHash.update(d);
    size += d.length;
  });
  tar.stdout.pipe(gzip).pipe(file);
  const [code] = await Promise.all([
    new Promise<number>((resolve) => tar.on("close", (c) => resolve(c ?? 1))),
    new Promise<void>((resolve, reject) => {
      file.on("finish", () => resolve());
      file.on("error", reject);
    }),
  ]);
  if (code !== 0) throw new Error(`tar of ${rootfs} failed (${code}): ${stderr}`);
  const digest = `sha256:${gzHash.digest("hex")}`;
  renameSync(tmp, join(blobsDir, digest.slice("sha256:".length)));
  return {
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    digest,
    size,
    diffId: `sha256:${tarHash.digest("hex")}`,
  };
}

function writeJsonBlob(blobsDir: string, mediaType: string, value: unknown): Blob {
  const text = JSON.stringify(value);
  const digest = sha256(text);
  writeFileSync(join(blobsDir, digest.slice("sha256:".length)), text);
  return { mediaType, digest, size: Buffer.byteLength(text) };
}

/**
 * Writes `<out>` (a tar of an OCI image layout) for `name` (e.g. docker.io/messaging-platform/smoke-gate:0.1.0).
 * Returns the manifest's digest.
 */
export async function writeOciArchive(
  rootfs: string,
  config: ImageRuntimeConfig,
  name: string,
  out: string,
): Promise<{ manifest: Blob; layer: Blob }> {
  const layout = `${out}.layout`;
  rmSync(layout, { recursive: true, force: true });
  const blobs = join(layout, "blobs", "sha256");
  mkdirSync(blobs, { recursive: true });
  const layer = await writeLayer(rootfs, blobs);
  const configBlob = writeJsonBlob(blobs, "application/vnd.oci.image.config.v1+json", {
    architecture: "amd64",
    os: "linux",
    config,
    rootfs: { type: "layers", diff_ids: [layer.diffId] },
    history: [{ created_by: "images/build.ts (Docker-free build of smoke-tests/Dockerfile)" }],
  });
  const manifest = writeJsonBlob(blobs, "application/vnd.oci.image.manifest.v1+json", {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: configBlob,
    layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
  });
  const tag = name.slice(name.lastIndexOf(":") + 1);
  writeFileSync(
    join(layout, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        {
          ...manifest,
          // The first is the OCI annotation for the tag; containerd's import reads the second for the full name.
          annotations: { "org.opencontainers.image.ref.name": tag, "io.containerd.image.name": name },
        },
      ],
    }),
  );
  writeFileSync(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  run("tar", ["-C", layout, "-cf", out, "oci-layout", "index.json", "blobs"], { timeoutMs: 300_000 });
  rmSync(layout, { recursive: true, force: true });
  return { manifest, layer };
}
