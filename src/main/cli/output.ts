/** Where the CLI writes: results to stdout, messages and progress to stderr. */
export interface Output {
  out(text: string): void;
  info(text: string): void;
  warn(text: string): void;
  quiet: boolean;
  /** True when stderr is an interactive terminal (progress bars, prompts). */
  interactive: boolean;
}

export function consoleOutput(quiet: boolean): Output {
  return {
    quiet,
    interactive: !!process.stderr.isTTY && !quiet,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
    info: (text) => {
      if (!quiet) process.stderr.write(text + '\n');
    },
    // Warnings are shown even with --quiet: they concern safety.
    warn: (text) => process.stderr.write(`Warning: ${text}\n`),
  };
}

/** A log callback of the volume and scheduler modules, onto the output: their "Warning: …" lines become warnings. */
export function logTo(output: Output): (message: string) => void {
  return (m) => (m.startsWith('Warning: ') ? output.warn(m.slice(9)) : output.info(m));
}
