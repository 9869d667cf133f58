/** The outcome of scoring one submission, shared by the answer scorers and the mitigation checks. */
export interface ScoreResult {
  success: boolean;
  /** Localization only: 100 / len(answer) when the answer names the faulty component, else 0. */
  accuracy?: number;
  /** The answer had the wrong shape; AIOpsLab records this as "Invalid Format". */
  invalidFormat?: true;
  /** Faithful mode: AIOpsLab's eval would raise on this answer or cluster; its runner counts a failure. */
  evaluatorError?: true;
  detail: string;
}
