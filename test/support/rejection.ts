// What a promise rejected with; a test fails when it resolved instead.
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the operation to reject, but it resolved');
}
