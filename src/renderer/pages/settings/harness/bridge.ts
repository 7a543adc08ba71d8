import type { ApiErrorShape } from '../../../../shared/api/dto.ts';

/**
 * How the component-test harness page reaches the test's fake API: the test
 * (in Node) exposes INVOKE_BINDING with playwright; the page's transport calls
 * it for every API call, and the test pushes events through EMIT_FUNCTION.
 */
export const INVOKE_BINDING = '__settingsHarnessInvoke';
export const EMIT_FUNCTION = '__settingsHarnessEmit';

/** A call's outcome as it crosses from Node into the page. */
export type BridgeReply = { ok: true; result: unknown } | { ok: false; error: ApiErrorShape };
