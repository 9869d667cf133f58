/** The outcome of scoring one submission, shared by the answer scorers and the mitigation checks. */
export interface ScoreResult {
  success: boolean;
  /** Localization only: 100 / len(answer) when the answer names the faulty component, else 0. */
  accuracy?: number;
  /** The answer had the wrong shape; AIOpsLab records this as "Invalid Format". */
  invalidFormat?: true;
  detail: string;
}
