export * from '../core/redact.js';
