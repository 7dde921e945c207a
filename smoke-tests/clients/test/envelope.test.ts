import { decodeEnvelope, encodeEnvelope } from "../envelope";

describe("message envelope", () => {
  it("carries the id and send time in a body of exactly the requested size", () => {
    const e = encodeEnvelope("run-1/p0/42", 1_700_000_000_123, 1024);
    expect(e.body.length).toBe(1024);
    expect(decodeEnvelope(e.body)).toEqual({ id: "run-1/p0/42", sentAt: 1_700_000_000_123 });
  });

  it("grows the body when the header does not fit the requested size", () => {
    const e = encodeEnvelope("run-1/p0/1", 5, 4);
    expect(decodeEnvelope(e.body)?.id).toBe("run-1/p0/1");
  });

  it("refuses ids with whitespace, which would break the header", () => {
    expect(() => encodeEnvelope("a b", 1, 100)).toThrow(/whitespace/);
  });

  it("returns undefined for foreign bodies instead of guessing", () => {
    expect(decodeEnvelope(Buffer.from("hello world"))).toBeUndefined();
    expect(decodeEnvelope(Buffer.from("id notanumber\n..."))).toBeUndefined();
    expect(decodeEnvelope(Buffer.alloc(0))).toBeUndefined();
  });
});
