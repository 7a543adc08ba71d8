/** Why a very weak new password (strength score 0) is blocked until its confirmation is ticked. */
export const WEAK_PROBLEM = 'Tick this to use a very weak password, or choose a stronger one.';
