/**
 * The incident screen: runs one incident through the backend, shows it as it happens and answers the
 * executor's approval requests from the keyboard. Fits 80×24; extra rows go to the evidence list.
 */
import { Box, Text, useApp, useInput, useStdin, useStdout } from 'ink';
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { AuditTail, ActionDetail, ExcerptDetail } from './components/Detail.js';
import type { PreviewState } from './components/Detail.js';
import { HelpOverlay } from './components/Help.js';
import { ActionsPanel, DiagnosisPanel, EvidencePanel } from './components/Panels.js';
import { Timeline } from './components/Timeline.js';
import type { SortMode } from './model.js';
import { initialState, reduce, shownVerdict, sortEvidence } from './model.js';
import type { IncidentReport } from '../incident/run-incident.js';
import type { TuiBackend } from './session.js';
import { KeyApprover } from './session.js';
import { ThemeContext, makeTheme } from './theme.js';

/** Lets the caller wait for the run in flight to settle after the screen is gone. */
export interface RunTracker {
  current?: Promise<unknown>;
}

export interface AppProps {
  backend: TuiBackend;
  color: boolean;
  tracker?: RunTracker;
  /** For tests: a fixed clock. */
  now?: () => number;
}

const AUDIT_ROWS = 8;

function useTerminalSize(): { columns: number; rows: number } {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

export function App({ backend, color, tracker, now = Date.now }: AppProps) {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const { columns, rows } = useTerminalSize();
  const [state, dispatch] = useReducer(reduce, undefined, initialState);
  const [focus, setFocus] = useState<'evidence' | 'actions'>('evidence');
  const [evSel, setEvSel] = useState(0);
  const [actSel, setActSel] = useState(0);
  const [sort, setSort] = useState<SortMode>('severity');
  const [help, setHelp] = useState(false);
  const [tick, setTick] = useState(0);
  const [previews, setPreviews] = useState<Map<string, PreviewState>>(new Map());
  const approver = useRef<KeyApprover | undefined>(undefined);
  const abort = useRef<AbortController | undefined>(undefined);
  const running = useRef(false);
  const runNo = useRef(0);

  const refreshAudit = useCallback(() => {
    if (!backend.auditTail) return;
    backend.auditTail(AUDIT_ROWS).then(
      (entries) => dispatch({ type: 'audit', entries }),
      () => undefined,
    );
  }, [backend]);

  const startRun = useCallback(() => {
    if (running.current) return;
    running.current = true;
    runNo.current++;
    const controller = new AbortController();
    abort.current = controller;
    const keys = new KeyApprover((request) => {
      dispatch({ type: 'approval-requested', request });
      setFocus('actions');
      refreshAudit();
    });
    approver.current = keys;
    dispatch({ type: 'run-start', at: now() });
    setActSel(0);
    setEvSel(0);
    setPreviews(new Map());
    const run = backend
      .run({
        approver: keys,
        signal: controller.signal,
        onEvent: (event) => {
          dispatch({ type: 'incident', event, at: now() });
          if (event.type === 'action' || event.type === 'phase-end') refreshAudit();
        },
        onEvidence: (evidence) => dispatch({ type: 'observed', evidence }),
        onDiagnosis: (result) =>
          dispatch({
            type: 'diagnosed',
            diagnosis: result.diagnosis,
            steps: result.steps.length,
            verdicts: result.diagnosis.proposals.map((p, i) => backend.verdict(p, i)),
          }),
      })
      .then(
        (report) =>
          dispatch({
            type: 'run-end',
            end: {
              detected: report.reasoning.diagnosis.detected,
              resolved: report.verification?.resolved ?? null,
              rounds: report.verification?.rounds ?? null,
              remaining: report.verification?.remaining.length ?? 0,
              unread: observedGaps(report),
            },
          }),
        (error: unknown) =>
          dispatch({ type: 'run-failed', message: error instanceof Error ? error.message : String(error) }),
      )
      .finally(() => {
        running.current = false;
        refreshAudit();
      });
    if (tracker) tracker.current = run;
  }, [backend, now, refreshAudit, tracker]);

  useEffect(() => {
    startRun();
    return () => {
      approver.current?.answer('rejected');
      abort.current?.abort();
    };
    // Runs once: later runs start from the re-run key.
  }, []);

  useEffect(() => {
    if (state.runStatus !== 'running') return;
    const timer = setInterval(() => setTick((t) => t + 1), 120);
    return () => clearInterval(timer);
  }, [state.runStatus]);

  const evidence = sortEvidence(state.evidence, sort);
  const proposals = state.diagnosis?.proposals ?? [];
  const detailIndex = state.pending?.index ?? actSel;
  const showAction = state.pending !== undefined || focus === 'actions';
  const detailAction = proposals[detailIndex];
  // A pending approval carries the executor's own dry run; a denied action is never sent to the server.
  const askDryRun =
    backend.dryRun !== undefined &&
    state.pending?.index !== detailIndex &&
    shownVerdict(state, detailIndex)?.effect !== 'deny';
  const previewKey = `${state.run}:${detailIndex}:${askDryRun}`;

  useEffect(() => {
    if (!showAction || !detailAction || !backend.preview || previews.has(previewKey)) return;
    setPreviews((m) => new Map(m).set(previewKey, { state: 'loading' }));
    const dryRun = askDryRun ? backend.dryRun?.(detailAction).catch(() => undefined) : undefined;
    Promise.all([backend.preview(detailAction), dryRun]).then(
      ([current, outcome]) =>
        setPreviews((m) =>
          new Map(m).set(previewKey, { state: 'ready', current, ...(outcome ? { dryRun: outcome } : {}) }),
        ),
      (error: unknown) =>
        setPreviews((m) =>
          new Map(m).set(previewKey, {
            state: 'error',
            message: error instanceof Error ? error.message : String(error),
          }),
        ),
    );
  }, [showAction, detailAction, backend, previewKey, previews, askDryRun]);

  const quit = () => {
    approver.current?.answer('rejected');
    abort.current?.abort();
    exit();
  };

  useInput(
    (input, key) => {
      if ((key.ctrl && input === 'c') || input === 'q') return quit();
      if (help) {
        if (input === '?' || key.escape) setHelp(false);
        return;
      }
      if (input === '?') return setHelp(true);
      if (input === 'a' || input === 'y') {
        if (approver.current?.answer('approved')) dispatch({ type: 'approval-answered', answer: 'approved' });
        else dispatch({ type: 'notice', text: 'nothing is waiting for approval' });
        return;
      }
      if (input === 'd' || input === 'n') {
        if (approver.current?.answer('rejected')) dispatch({ type: 'approval-answered', answer: 'rejected' });
        else dispatch({ type: 'notice', text: 'nothing is waiting for approval' });
        return;
      }
      if (input === 'r') {
        if (running.current) dispatch({ type: 'notice', text: 'a run is in progress; re-run when it ends' });
        else startRun();
        return;
      }
      if (key.tab) return setFocus((f) => (f === 'evidence' ? 'actions' : 'evidence'));
      if (input === 's') return setSort((s) => (s === 'severity' ? 'id' : 'severity'));
      if (key.return || input === 'v') return setFocus('actions');
      const delta = key.upArrow || input === 'k' ? -1 : key.downArrow || input === 'j' ? 1 : 0;
      if (delta === 0) return;
      if (focus === 'evidence') setEvSel((i) => clamp(i + delta, evidence.length));
      else setActSel((i) => clamp(i + delta, proposals.length));
    },
    { isActive: isRawModeSupported },
  );

  const theme = makeTheme(color);
  const height = Math.max(12, rows - 1);
  const width = Math.max(40, columns);
  const flexible = height - 8;
  const diagRows = flexible >= 13 ? 2 : 1;
  const actRows = Math.min(Math.max(1, proposals.length), flexible >= 15 ? 3 : 1);
  const auditRows = flexible >= 14 ? 2 : 1;
  const detailRows = Math.max(2, Math.min(5, flexible - diagRows - actRows - auditRows - 2));
  const evRows = Math.max(1, flexible - diagRows - actRows - auditRows - detailRows);
  const notice = state.notice ?? '';
  const noticeTone =
    state.runStatus === 'failed' || notice.startsWith('NOT')
      ? theme.tone('red')
      : notice.startsWith('RESOLVED') || notice.startsWith('healthy')
        ? theme.tone('green')
        : state.pending || notice.startsWith('INCOMPLETE')
          ? theme.tone('yellow')
          : {};

  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={width} height={height}>
        <Text wrap="truncate-end" {...theme.strong()}>
          aoi · run {state.run} · {backend.title}
          {backend.acting ? '' : ' · diagnose only'}
        </Text>
        {help ? (
          <HelpOverlay width={width} rows={height - 2} />
        ) : (
          <>
            <Timeline state={state} now={now()} tick={tick} width={width} />
            <EvidencePanel
              evidence={evidence}
              state={state}
              selected={evSel}
              focused={focus === 'evidence' && !state.pending}
              sort={sort}
              rows={evRows}
            />
            <DiagnosisPanel state={state} rows={diagRows} />
            <ActionsPanel state={state} selected={actSel} focused={focus === 'actions'} rows={actRows} />
            {showAction ? (
              <ActionDetail
                state={state}
                index={detailIndex}
                action={detailAction}
                preview={previews.get(previewKey)}
                rows={detailRows}
              />
            ) : (
              <ExcerptDetail evidence={evidence[evSel]} rows={detailRows} width={width} />
            )}
            <AuditTail state={state} rows={auditRows} />
          </>
        )}
        <Text wrap="truncate-end">
          <Text {...noticeTone}>{notice}</Text>
          <Text {...theme.tone('gray')}>
            {state.pending ? '  a approve · d reject' : ''}
            {state.runStatus !== 'running' ? '  r re-run' : ''}
            {'  ? help · q quit'}
          </Text>
        </Text>
      </Box>
    </ThemeContext.Provider>
  );
}

function clamp(value: number, count: number): number {
  return Math.max(0, Math.min(Math.max(0, count - 1), value));
}

/** What the run's first look could not read (a scripted report in tests may carry no observation). */
function observedGaps(report: IncidentReport): string[] {
  const coverage = (report as Partial<IncidentReport>).observation?.coverage;
  return coverage?.gaps.map((g) => g.what) ?? [];
}
