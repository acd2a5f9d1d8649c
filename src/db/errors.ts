/** PostgreSQL error codes we turn into client problems instead of 500s. */
export function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err && 'code' in err
    ? String((err as { code: unknown }).code)
    : undefined;
}

export const isUniqueViolation = (err: unknown) => pgCode(err) === '23505';
export const isForeignKeyViolation = (err: unknown) => pgCode(err) === '23503';
