// Secrets out of command lines and messages: what a failure message prints is masked, a java argument file says
// exactly what the launcher must read, and a private file is private and gone afterwards.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { describeCommand, javaArgFile, MASK, maskSecrets, withPrivateFile } from "../src/secrets";

describe("maskSecrets", () => {
  it("masks a URI's password and keeps its user, host and path", () => {
    expect(maskSecrets("--uri amqp://admin:s3cr3tPw@10.213.0.21:5672/%2F --queue q")).toBe(
      `--uri amqp://admin:${MASK}@10.213.0.21:5672/%2F --queue q`,
    );
    expect(maskSecrets("http://u:p%40ss@h:15672/api")).toBe(`http://u:${MASK}@h:15672/api`);
    expect(maskSecrets("amqp://10.213.0.21:5672 and http://h:8080/a@b")).toBe(
      "amqp://10.213.0.21:5672 and http://h:8080/a@b",
    );
  });

  it("masks password=... in --add-scram, JAAS lines, rabbitmq.conf and --flag=value forms", () => {
    expect(maskSecrets("--add-scram SCRAM-SHA-512=[name=app,password=abcDEF123] -c x")).toBe(
      `--add-scram SCRAM-SHA-512=[name=app,password=${MASK}] -c x`,
    );
    expect(maskSecrets('ScramLoginModule required username="app" password="abc def";')).toBe(
      `ScramLoginModule required username="app" password="${MASK}";`,
    );
    expect(maskSecrets("default_pass = hunter22\nlog.console = true")).toBe(
      `default_pass = ${MASK}\nlog.console = true`,
    );
    expect(maskSecrets("--password=hunter22 --sasl.password: x2 RABBITMQ_ERLANG_COOKIE=abc")).toBe(
      `--password=${MASK} --sasl.password: ${MASK} RABBITMQ_ERLANG_COOKIE=${MASK}`,
    );
    expect(maskSecrets('PlainLoginModule required username="c" password="pw1" user_c="pw1";')).toBe(
      `PlainLoginModule required username="c" password="${MASK}" user_c="${MASK}";`,
    );
  });

  it("masks Authorization headers", () => {
    expect(maskSecrets("authorization: Basic YWRtaW46c2VjcmV0")).toBe(`authorization: Basic ${MASK}`);
  });

  it("masks every known secret wherever it is, even where no pattern would find it", () => {
    expect(maskSecrets("user_app=Zq9xLongSecret in Zq9xLongSecret!", ["Zq9xLongSecret"])).toBe(
      `user_app=${MASK} in ${MASK}!`,
    );
    // Too short to be a secret worth masking everywhere (it would mangle the message).
    expect(maskSecrets("a b c", ["b"])).toBe("a b c");
  });

  it("leaves ordinary text alone", () => {
    const text = "`ip link add mp-kafka-0 type veth` exited with 2: RTNETLINK answers: File exists; 3 passed";
    expect(maskSecrets(text)).toBe(text);
  });
});

describe("describeCommand", () => {
  it("masks the value after a secret flag, and secrets inside any argument", () => {
    expect(
      describeCommand("tool", ["--user", "app", "--password", "plain", "--uri", "amqp://a:b@h", "-setcookie", "c"]),
    ).toBe(`tool --user app --password ${MASK} --uri amqp://a:${MASK}@h -setcookie ${MASK}`);
  });

  it("prints a command without secrets as it is", () => {
    expect(describeCommand("ip", ["netns", "add", "mp-kafka-0"])).toBe("ip netns add mp-kafka-0");
  });
});

describe("javaArgFile", () => {
  it("quotes every argument, escaping backslashes and quotes, one per line", () => {
    expect(javaArgFile(["kafka.tools.StorageTool", 'a"b', "c\\d", "e f"])).toBe(
      '"kafka.tools.StorageTool"\n"a\\"b"\n"c\\\\d"\n"e f"\n',
    );
  });

  it("refuses a line break, which the format cannot carry", () => {
    expect(() => javaArgFile(["a\nb"])).toThrow(/line break/);
  });

  it("is read back by the java launcher exactly, and only `@file` is on the command line", async () => {
    const args = ["-XshowSettings:properties", "-version"];
    await withPrivateFile("args", javaArgFile(args), async (file) => {
      const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
      const r = spawnSync(java, ["-XX:-UsePerfData", `@${file}`], { encoding: "utf8", timeout: 60_000 });
      expect(r.status).toBe(0);
      // -XshowSettings:properties printed the settings: the launcher took the option from the file.
      expect(r.stderr).toMatch(/Property settings:/);
    });
  });
});

describe("withPrivateFile", () => {
  it("gives fn a file only its owner can read, in a directory only its owner can enter, and removes both", async () => {
    let seen = "";
    const result = await withPrivateFile("p.properties", "password=x\n", async (path) => {
      seen = path;
      expect(readFileSync(path, "utf8")).toBe("password=x\n");
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
      return 42;
    });
    expect(result).toBe(42);
    expect(existsSync(dirname(seen))).toBe(false);
  });

  it("removes the file when fn fails too", async () => {
    let seen = "";
    await expect(
      withPrivateFile("p", "x", async (path) => {
        seen = path;
        throw new Error("tool failed");
      }),
    ).rejects.toThrow("tool failed");
    expect(existsSync(dirname(seen))).toBe(false);
  });
});
