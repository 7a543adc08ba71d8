/** Reads a line from the terminal without echoing it (passwords). */
export function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return Promise.reject(new Error('cannot prompt for a password: standard input is not a terminal'));
  return new Promise((resolve, reject) => {
    let value = '';
    // Echo goes off before the question shows, so an answer typed (or sent) as soon as it appears is never echoed.
    input.setRawMode(true);
    process.stderr.write(question);
    input.resume();
    input.setEncoding('utf8');
    const finish = (err?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(Object.assign(new Error('cancelled'), { code: 'CANCELLED' }));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    input.on('data', onData);
  });
}
