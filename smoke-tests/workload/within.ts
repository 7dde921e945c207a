// A wait with an end: the promise's answer, or an error naming what did not happen in time.

/** Resolves or rejects as `promise` does, or rejects with `message` after `ms`; the timer never outlives the wait. */
export function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
