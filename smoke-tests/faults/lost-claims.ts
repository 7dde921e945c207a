// Pure: the claims a lost node leaves behind. A local volume is pinned to its node by node affinity, so every claim
// bound to one of the lost node's volumes points at a disk that is gone: a pod that mounts it waits for ever
// ("MountVolume … path does not exist"), and a later node of the same name would inherit the stale binding. The broker
// pods' claims are released with their pods (releaseClaims); every other claim (the gate's reports claim, a claim of
// any chart) is re-created empty under the same name and spec, so whatever mounts it next binds a new volume and the
// stack that created it finds it where it left it.

/** A PersistentVolume as this needs it: its name, the nodes its affinity pins it to, and the claim bound to it. */
export interface VolumeView {
  name: string;
  nodeAffinity?: {
    required?: {
      nodeSelectorTerms?: Array<{
        matchExpressions?: Array<{ key?: string; operator?: string; values?: string[] }>;
      }>;
    };
  };
  claimRef?: { namespace?: string; name?: string; uid?: string };
}

/** A claim bound to a lost node's volume: which claim (by uid, so a claim of the same name made since is not it). */
export interface LostClaim {
  namespace: string;
  name: string;
  uid?: string;
  volume: string;
}

/** Pure: the nodes a volume's required node affinity names by `kubernetes.io/hostname In [...]`. */
export function nodesPinning(volume: VolumeView): string[] {
  return (volume.nodeAffinity?.required?.nodeSelectorTerms ?? []).flatMap((t) =>
    (t.matchExpressions ?? [])
      .filter((e) => e.key === "kubernetes.io/hostname" && e.operator === "In")
      .flatMap((e) => e.values ?? []),
  );
}

/** Pure: every claim bound to a volume pinned to `node` alone (a volume any other node can mount did not go with it). */
export function claimsBoundToNode(volumes: readonly VolumeView[], node: string): LostClaim[] {
  return volumes
    .filter((v) => {
      const pinned = nodesPinning(v);
      return pinned.length > 0 && pinned.every((n) => n === node);
    })
    .flatMap((v) =>
      v.claimRef?.namespace && v.claimRef.name
        ? [
            {
              namespace: v.claimRef.namespace,
              name: v.claimRef.name,
              ...(v.claimRef.uid ? { uid: v.claimRef.uid } : {}),
              volume: v.name,
            },
          ]
        : [],
    )
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/** A PersistentVolumeClaim as this needs it (the fields of @kubernetes/client-node's V1PersistentVolumeClaim it keeps). */
export interface ClaimView {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    accessModes?: string[];
    resources?: unknown;
    storageClassName?: string;
    volumeMode?: string;
    selector?: unknown;
    volumeName?: string;
  };
}

/** The annotations the binding controllers and the scheduler set on a claim once bound: a new claim must not carry them. */
const bindingAnnotation =
  /^(pv\.kubernetes\.io\/|volume\.kubernetes\.io\/selected-node$|volume\.(beta\.)?kubernetes\.io\/storage-provisioner$)/;

/**
 * Pure: the claim to create in place of `old`: the same name, namespace, labels, annotations (those its creator set)
 * and request, with no volume named, so it binds a new volume where its next pod is scheduled.
 */
export function emptyClaimLike(old: ClaimView): ClaimView {
  const { name, namespace, labels, annotations } = old.metadata ?? {};
  if (!name || !namespace)
    throw new Error(`a claim to re-create needs a name and namespace (got ${namespace}/${name})`);
  const kept = Object.fromEntries(Object.entries(annotations ?? {}).filter(([k]) => !bindingAnnotation.test(k)));
  const { volumeName: _bound, ...spec } = old.spec ?? {};
  return {
    metadata: {
      name,
      namespace,
      ...(labels ? { labels } : {}),
      ...(Object.keys(kept).length > 0 ? { annotations: kept } : {}),
    },
    spec,
  };
}
