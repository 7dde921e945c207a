// The drills' kill-and-hold-down hook, as the charts build it and the Kubernetes fault injector uses it: every broker
// pod has a small emptyDir at holdDownDir, and its broker container starts the broker only once holdDownMarker is
// gone (charts/*/templates, hold-down.sh). An emptyDir outlives the container's restarts but not the pod, so a marker
// written before a kill keeps the restarted container waiting until the drill removes it (or the pod is deleted).
export const holdDownDir = "/run/hold-down";
export const holdDownMarker = `${holdDownDir}/held`;
