// Forgetting an isolated pod's tracked connections: a NetworkPolicy only judges new connections, and on this
// machine's three-node cluster each node tracks its own pods' connections in its own network namespace.
import { cannotForgetConnections, conntrackDeletions } from "../kubernetes-faults";

test("both directions, in the machine's table and in every node's (and no other namespace's)", () => {
  expect(conntrackDeletions("10.244.1.2", ["mpk8s-node-2", "cni-0764", "mp-kafka-0", "mpk8s-node-1"])).toEqual([
    ["conntrack", "-D", "--orig-src", "10.244.1.2"],
    ["conntrack", "-D", "--orig-dst", "10.244.1.2"],
    ["nsenter", "--net=/run/netns/mpk8s-node-1", "conntrack", "-D", "--orig-src", "10.244.1.2"],
    ["nsenter", "--net=/run/netns/mpk8s-node-1", "conntrack", "-D", "--orig-dst", "10.244.1.2"],
    ["nsenter", "--net=/run/netns/mpk8s-node-2", "conntrack", "-D", "--orig-src", "10.244.1.2"],
    ["nsenter", "--net=/run/netns/mpk8s-node-2", "conntrack", "-D", "--orig-dst", "10.244.1.2"],
  ]);
});

test("where connections cannot be forgotten, the isolation says why instead of not holding", () => {
  expect(cannotForgetConnections({ KUBERNETES_SERVICE_HOST: "10.96.0.1" }, ["mpk8s-node-1"])).toMatch(/runs in a pod/);
  expect(cannotForgetConnections({}, ["cni-0764", "mp-kafka-0"])).toMatch(/no mpk8s-node-N network namespace/);
  // Whether conntrack is installed is the machine's (cluster:up installs it), so the test says which machine it means.
  expect(cannotForgetConnections({}, ["mpk8s-node-1"], () => false)).toBe("conntrack is not installed here");
  expect(cannotForgetConnections({}, ["mpk8s-node-1"], () => true)).toBeUndefined();
});
