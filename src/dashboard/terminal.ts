// When the live dashboard is the right output: an interactive terminal that is not CI. Anything
// else (a pipe, a file, CI logs) gets plain lines, which stay readable there.

/** True when the CI variable is set to anything but an explicit false. */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  if (ci === undefined) return false;
  const v = ci.trim().toLowerCase();
  return !(v === '' || v === 'false' || v === '0' || v === 'no');
}

export function wantsDashboard(
  stdout: { isTTY?: boolean },
  options: { plain?: boolean; json?: boolean } = {},
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return !options.plain && !options.json && stdout.isTTY === true && !isCI(env);
}
