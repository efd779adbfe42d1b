/** OpenTelemetry's `error.type`: the error's code when it has one, else its class name. @internal */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : typeof error;
}
