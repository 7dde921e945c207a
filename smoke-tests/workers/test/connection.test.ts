import { workerConnectionFrom } from "../connection";
import { workerToken } from "../token";

const token = "0123456789abcdef0123456789abcdef";

describe("a worker's connection, from its environment", () => {
  it("reads the collector and its index, and derives its own token from the run's", () => {
    const conn = workerConnectionFrom({
      MP_WORKER_COLLECTOR: "127.0.0.1:4100",
      MP_WORKER_INDEX: "2",
      MP_WORKER_TOKEN: token,
    });
    expect(conn).toEqual({ host: "127.0.0.1", port: 4100, index: 2, token: workerToken(token, 2) });
    // Its hello claims its own index only: the run's token stays in the worker.
    expect(conn.token).not.toBe(token);
    expect(conn.token).not.toBe(workerToken(token, 1));
  });

  it("takes a Kubernetes Indexed Job's JOB_COMPLETION_INDEX as its index", () => {
    expect(
      workerConnectionFrom({
        MP_WORKER_COLLECTOR: "gate-collector:4100",
        JOB_COMPLETION_INDEX: "1",
        MP_WORKER_TOKEN: token,
      }).index,
    ).toBe(1);
  });

  it("in a pod: the run's token from the file MP_WORKER_TOKEN_FILE names (its Secret, mounted)", () => {
    const read: string[] = [];
    const conn = workerConnectionFrom(
      {
        MP_WORKER_COLLECTOR: "gate-collector:7070",
        JOB_COMPLETION_INDEX: "2",
        MP_WORKER_TOKEN_FILE: "/etc/mp-worker/run-token",
      },
      (path) => {
        read.push(path);
        return `${token}\n`;
      },
    );
    expect(read).toEqual(["/etc/mp-worker/run-token"]);
    expect(conn.token).toBe(workerToken(token, 2));
    const unreadable = () => {
      throw new Error("ENOENT: no such file or directory");
    };
    expect(() =>
      workerConnectionFrom(
        { MP_WORKER_COLLECTOR: "h:1", MP_WORKER_INDEX: "0", MP_WORKER_TOKEN_FILE: "/nope" },
        unreadable,
      ),
    ).toThrow('MP_WORKER_TOKEN_FILE = "/nope" must be a readable file with the run\'s token: ENOENT');
    expect(() =>
      workerConnectionFrom({ MP_WORKER_COLLECTOR: "h:1", MP_WORKER_INDEX: "0", MP_WORKER_TOKEN_FILE: "/t" }, () => "x"),
    ).toThrow("the file MP_WORKER_TOKEN_FILE names (/t) must hold the hex token its coordinator gave it");
  });

  it("refuses a missing or malformed variable, naming it, its value and the rule", () => {
    expect(() => workerConnectionFrom({ MP_WORKER_INDEX: "0", MP_WORKER_TOKEN: token })).toThrow(
      'MP_WORKER_COLLECTOR = "" must be <host>:<port>',
    );
    expect(() =>
      workerConnectionFrom({ MP_WORKER_COLLECTOR: "h:1", MP_WORKER_INDEX: "-1", MP_WORKER_TOKEN: token }),
    ).toThrow('MP_WORKER_INDEX = "-1" must be a worker index (an integer ≥ 0)');
    expect(() => workerConnectionFrom({ MP_WORKER_COLLECTOR: "h:1", MP_WORKER_INDEX: "0" })).toThrow(
      "MP_WORKER_TOKEN must hold the hex token its coordinator gave it",
    );
  });
});
