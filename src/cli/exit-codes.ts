/**
 * What every command's exit code means (README, docs/diagnose-output.md). `incomplete` is its own code so that
 * a script can tell "looked and found nothing, but could not read everything" from both "healthy" (0) and "aoi
 * failed and printed no result" (2), as monitoring checks tell UNKNOWN from OK and CRITICAL.
 */
export const EXIT = { done: 0, incident: 1, error: 2, incomplete: 3 } as const;
