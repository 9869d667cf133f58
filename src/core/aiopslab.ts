import { z } from 'zod';
import { TASK_TYPES } from './task-types.js';

/** AIOpsLab's analysis vocabularies; its grader compares these strings case-insensitively. */
export const SystemLevel = z.enum(['Hardware', 'Operating System', 'Virtualization', 'Application']);
export type SystemLevel = z.infer<typeof SystemLevel>;

export const FaultType = z.enum([
  'Misconfiguration',
  'Code Defect',
  'Authentication Issue',
  'Network/Storage Issue',
  'Operation Error',
  'Dependency Problem',
]);
export type FaultType = z.infer<typeof FaultType>;

export const TaskType = z.enum(TASK_TYPES);
export type TaskType = z.infer<typeof TaskType>;
