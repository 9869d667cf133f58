/** AIOpsLab's task types as plain values, for command-line choices read before zod is loaded (core/aiopslab.ts). */
export const TASK_TYPES = ['detection', 'localization', 'analysis', 'mitigation'] as const;
