// A chart key the embedded mapping left out, and why: reported by `status --verbose` and asserted by the tests.
export interface DroppedKey {
  key: string;
  reason: string;
}
