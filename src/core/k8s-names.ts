import { z } from 'zod';

/** RFC 1123 subdomain: object names (Deployments, Pods, Services). */
export const K8sName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a lowercase DNS name (a-z, 0-9, "-", ".")');
export type K8sName = z.infer<typeof K8sName>;

/** RFC 1123 label: namespaces and container names. */
export const K8sLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase DNS label (a-z, 0-9, "-")');
export type K8sLabel = z.infer<typeof K8sLabel>;

/** Label or node-selector key: optional `dns.prefix/` then a 1–63 char name. */
export const LabelKey = z
  .string()
  .max(317)
  .regex(
    /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    'must be a label key like "app" or "kubernetes.io/os"',
  );
export type LabelKey = z.infer<typeof LabelKey>;

export const LabelValue = z
  .string()
  .max(63)
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'must be a label value');
export type LabelValue = z.infer<typeof LabelValue>;
