// The tests' own reference transposition of [A, B, ...rest] data to [B, A, ...rest].

/** `data` [a, b, ...rest] (rest elements per entry) reordered [b, a, ...rest]. */
export function transposed<A extends Float32Array | Int32Array>(data: A, a: number, b: number, rest = 1): A {
  const out = new (data.constructor as new (n: number) => A)(data.length);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out.set(data.subarray((i * b + j) * rest, (i * b + j + 1) * rest), (j * a + i) * rest);
  return out;
}
