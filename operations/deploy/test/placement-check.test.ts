import { kubeAccessOf } from "../placement-check";

describe("the cluster the placement check reads: the one the stack config names", () => {
  it("kubeconfig and context from messaging-platform:kubernetes, as Pulumi.cluster.yaml writes them", () => {
    const config = {
      "messaging-platform:kubernetes": { kubeconfig: "~/.cache/messaging-platform/cluster/admin.kubeconfig" },
      "messaging-platform:kafka": { valuesFile: "charts/kafka/examples/cluster.yaml" },
    };
    expect(kubeAccessOf(config)).toEqual({ kubeconfig: "~/.cache/messaging-platform/cluster/admin.kubeconfig" });
    expect(kubeAccessOf({ "messaging-platform:kubernetes": { context: "prod-eu" } })).toEqual({ context: "prod-eu" });
  });

  it("none named: the default kubeconfig, as the provider would use", () => {
    expect(kubeAccessOf({})).toEqual({});
    expect(kubeAccessOf({ "messaging-platform:kubernetes": { renderYamlToDirectory: "/tmp/x" } })).toEqual({});
  });
});
