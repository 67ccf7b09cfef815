/** The outcome of an operation that can fail on expected bad input. */
export type Result<T, E> = Ok<T> | Err<E>;

/** A successful {@link Result}. */
export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

/** A failed {@link Result}, carrying a typed error that says what was wrong. */
export interface Err<E> {
  readonly ok: false;
  readonly error: E;
}

/** Wraps a value into a successful {@link Result}. */
export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

/** Wraps an error into a failed {@link Result}. */
export function err<E>(error: E): Err<E> {
  return { ok: false, error };
}
