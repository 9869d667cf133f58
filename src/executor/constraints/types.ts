/** A constraint's answer when it does not let the action through as it is. */
export interface Refusal {
  /** The constraint's id, e.g. `images.registry`; decisions name it as `constraint:images.registry`. */
  constraint: string;
  reason: string;
  /** Set when the constraint asks a human instead of refusing (a large scale-down in `standard`). */
  effect?: 'approve';
  /** The cluster could not be read (or was not: a preview), so the check could not be made. */
  unread?: true;
}
