// The mapping from charts/rabbitmq values to an embedded node's rabbitmq.conf, plugins and environment: queue settings
// pass through, Kubernetes peer discovery becomes classic_config over the embedded nodes, credentials are generated.
import { existsSync } from "node:fs";
import { chartValuesFile, loadValues } from "../../chart-values/source";
import {
  chartRabbitConfig,
  EMBEDDED_ONLY_SETTINGS,
  embeddedPlugins,
  embeddedRabbitMQSettings,
  rabbitmqConf,
  rabbitmqEnv,
  renderEnabledPlugins,
  renderRabbitConf,
} from "../rabbitmq/config";
import { rabbitmqNodes } from "../topology";
import { rabbitmqValues } from "./fixtures";

const settings = () => embeddedRabbitMQSettings(rabbitmqValues());
const conf = () => rabbitmqConf(settings(), rabbitmqNodes(3), { username: "admin", password: "s3cret" });

describe("RabbitMQ chart values → embedded rabbitmq.conf", () => {
  it("passes the chart's queue settings through unchanged", () => {
    expect(conf()).toMatchObject({
      default_queue_type: "quorum",
      "quorum_queue.initial_cluster_size": "3",
      queue_leader_locator: "balanced",
      "quorum_queue.continuous_membership_reconciliation.enabled": "true",
    });
  });

  it("drops Kubernetes peer discovery and clusters the embedded nodes with classic_config", () => {
    const { dropped } = chartRabbitConfig(settings());
    expect(dropped.map((d) => d.key)).toEqual(
      expect.arrayContaining(["cluster_formation.k8s.host", "cluster_formation.k8s.address_type"]),
    );
    const c = conf();
    expect(Object.keys(c).filter((k) => k.startsWith("cluster_formation.k8s."))).toEqual([]);
    expect(c).toMatchObject({
      "cluster_formation.peer_discovery_backend": "classic_config",
      "cluster_formation.classic_config.nodes.1": "rabbit@rmq-0",
      "cluster_formation.classic_config.nodes.3": "rabbit@rmq-2",
    });
  });

  it("drops the Kubernetes peer discovery plugin and keeps management and prometheus", () => {
    expect(embeddedPlugins(settings())).toEqual(["rabbitmq_management", "rabbitmq_prometheus"]);
    expect(renderEnabledPlugins(["a", "b"])).toBe("[a,b].\n");
  });

  it("creates the chart's user with generated credentials instead of guest", () => {
    expect(conf()).toMatchObject({
      default_user: "admin",
      default_pass: "s3cret",
      "default_user_tags.administrator": "true",
    });
    expect(Object.values(conf())).not.toContain("guest");
  });

  it("listens on the chart's ports", () => {
    expect(conf()).toMatchObject({
      "listeners.tcp.default": "5672",
      "management.tcp.port": "15672",
      "prometheus.tcp.port": "15692",
    });
    const node = rabbitmqNodes(3)[1];
    if (!node) throw new Error("no node");
    const env = rabbitmqEnv(settings(), node, { base: "/b", config: "/b/c.conf", plugins: "/b/p" });
    expect(env).toMatchObject({
      RABBITMQ_NODENAME: "rabbit@rmq-1",
      RABBITMQ_DIST_PORT: "25672",
      ERL_EPMD_PORT: "4369",
    });
  });

  it("adds only the documented embedded-only settings", () => {
    const fromChart = chartRabbitConfig(settings()).config;
    const added = Object.keys(conf()).filter((k) => !(k in fromChart));
    const topology = /^(cluster_formation\.|listeners\.|management\.|prometheus\.|default_|log\.)/;
    expect(added.filter((k) => !topology.test(k)).sort()).toEqual(Object.keys(EMBEDDED_ONLY_SETTINGS).sort());
  });

  it("renders rabbitmq.conf as key = value lines", () => {
    expect(renderRabbitConf({ a: "1", "b.c": "x" })).toBe("a = 1\nb.c = x\n");
  });

  it("fails naming the file and the key when a value the environment needs is missing", () => {
    const src = rabbitmqValues();
    delete (src.values as { ports: { dist?: number } }).ports.dist;
    expect(() => embeddedRabbitMQSettings(src)).toThrow("fixture/rabbitmq/values.yaml has no `ports.dist`");
  });

  it("reads the real charts/rabbitmq/values.yaml", () => {
    expect(existsSync(chartValuesFile("rabbitmq"))).toBe(true);
    const s = embeddedRabbitMQSettings(loadValues("rabbitmq"));
    expect(s.config.default_queue_type).toBe("quorum");
  });
});
