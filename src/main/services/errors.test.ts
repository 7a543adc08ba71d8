/** The one error mapper of the CLI and the API: codes, exit codes (as the README lists them) and messages. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { destinationNotEmpty, DvomError } from '../engine/errors.ts';
import { passwordNotRemembered, rememberedPasswordWrong } from '../platform/detailed-error.ts';
import { describeError, toApiError } from './errors.ts';

const systemError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('describeError', () => {
  it('keeps engine codes and maps them to the documented exit codes', () => {
    const cases: [DvomError, number][] = [
      [new DvomError('ERROR', 'e'), 1],
      [new DvomError('USAGE', 'u'), 2],
      [new DvomError('WRONG_PASSWORD', 'w'), 3],
      [new DvomError('PASSWORD_REQUIRED', 'p'), 3],
      [new DvomError('NOT_FOUND', 'n'), 4],
      [new DvomError('INTEGRITY', 'i'), 5],
    ];
    for (const [err, exitCode] of cases) assert.deepEqual(describeError(err), { code: err.code, message: err.message, exitCode });
  });

  it('reports the finer service codes to the API while the exit code follows the engine code', () => {
    assert.deepEqual(describeError(rememberedPasswordWrong('stale')), { code: 'REMEMBERED_PASSWORD_WRONG', message: 'stale', exitCode: 3 });
    assert.deepEqual(describeError(destinationNotEmpty("volume 'v' is not empty")), { code: 'DESTINATION_NOT_EMPTY', message: "volume 'v' is not empty", exitCode: 2 });
    // The renderer places it by field and shows the problem there, never matching the message.
    assert.deepEqual(describeError(passwordNotRemembered('not remembered', 'enter it')), {
      code: 'PASSWORD_NOT_REMEMBERED',
      message: 'not remembered',
      field: 'password',
      problem: 'enter it',
      exitCode: 3,
    });
  });

  it('words system errors for people and hides anything unexpected behind INTERNAL', () => {
    assert.deepEqual(describeError(systemError('EACCES', "EACCES: open '/x'")), { code: 'ERROR', message: "permission denied: EACCES: open '/x'", exitCode: 1 });
    assert.deepEqual(describeError(systemError('ENOSPC', 'ENOSPC: write')), { code: 'ERROR', message: 'no space left on device: ENOSPC: write', exitCode: 1 });
    assert.deepEqual(describeError(Object.assign(new Error('bad header'), { name: 'TarFormatError' })), { code: 'INTEGRITY', message: 'invalid archive: bad header', exitCode: 5 });
    const internal = describeError(new TypeError('x is undefined'));
    assert.deepEqual(internal, { code: 'INTERNAL', message: 'unexpected error: x is undefined', exitCode: 1 });
  });

  it('toApiError is the same report without the exit code', () => {
    assert.deepEqual(toApiError(new DvomError('LOCKED', 'busy')), { code: 'LOCKED', message: 'busy' });
    assert.ok(!('exitCode' in toApiError(new Error('boom'))));
  });
});
