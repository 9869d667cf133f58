"""Evaluate aoi over AIOpsLab's problem registry, k attempts per problem; report best@k and avg@1.

Run from an AIOpsLab checkout (its cluster configured as its README says), with aoi on PATH:

    python run_aiopslab.py --attempts 5 --out aoi-aiopslab.json
    python run_aiopslab.py --filter k8s_target_port --attempts 1 -- --reasoner ollama --model qwen2.5:14b-instruct

Arguments after ``--`` go to ``aoi agent --stdio``. Standard library only, besides AIOpsLab itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import sys
import time
from typing import Any, Dict, List

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aoi_agent import AoiAgent  # noqa: E402

TASKS = ("detection", "localization", "analysis", "mitigation")


def task_of(pid: str) -> str:
    for task in TASKS:
        if f"-{task}" in pid:
            return task
    return "unknown"


def succeeded(results: Dict[str, Any]) -> bool:
    """AIOpsLab's evaluators record success differently per task type."""
    if results.get("success") is True:
        return True
    if str(results.get("Detection Accuracy", "")).lower() == "correct":
        return True
    return False


def run_one(pid: str, agent_cmd: List[str], max_steps: int) -> Dict[str, Any]:
    from aiopslab.orchestrator import Orchestrator  # imported here: only this script needs AIOpsLab

    agent = AoiAgent(command=agent_cmd)
    orchestrator = Orchestrator()
    orchestrator.register_agent(agent, name="aoi")
    started = time.time()
    try:
        problem_desc, instructions, apis = orchestrator.init_problem(pid)
        agent.init_context(problem_desc, instructions, apis)
        output = asyncio.run(orchestrator.start_problem(max_steps=max_steps))
        results = dict(output.get("results", {})) if isinstance(output, dict) else {}
        error = None
    except Exception as exc:  # one broken problem must not end the campaign
        results, error = {}, f"{type(exc).__name__}: {exc}"
    finally:
        agent.close()
    return {
        "problem": pid,
        "task": task_of(pid),
        "success": succeeded(results),
        "results": results,
        "steps": agent.steps,
        "seconds": round(time.time() - started, 1),
        "error": error,
    }


def summarise(records: List[Dict[str, Any]]) -> Dict[str, Any]:
    """avg@1: mean success over every attempt; best@k: share of problems solved in any of their k attempts."""
    rows = {}
    for task in (*TASKS, "all"):
        rs = [r for r in records if task == "all" or r["task"] == task]
        if not rs:
            continue
        by_problem: Dict[str, List[bool]] = {}
        for r in rs:
            by_problem.setdefault(r["problem"], []).append(r["success"])
        rows[task] = {
            "problems": len(by_problem),
            "attempts": len(rs),
            "avg@1": sum(r["success"] for r in rs) / len(rs),
            "best@k": sum(any(v) for v in by_problem.values()) / len(by_problem),
        }
    return rows


def main(argv: List[str]) -> int:
    extra: List[str] = []
    if "--" in argv:
        extra = argv[argv.index("--") + 1 :]
        argv = argv[: argv.index("--")]
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=1, help="attempts per problem (k of best@k)")
    parser.add_argument("--max-steps", type=int, default=30)
    parser.add_argument("--filter", default="", help="only problem ids containing this text")
    parser.add_argument("--problems", default="", help="file with one problem id a line (default: the registry)")
    parser.add_argument("--aoi", default=os.environ.get("AOI_AGENT_CMD", "aoi agent --stdio"))
    parser.add_argument("--out", default="aoi-aiopslab.json")
    args = parser.parse_args(argv)

    if args.problems:
        with open(args.problems, encoding="utf-8") as f:
            pids = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    else:
        from aiopslab.orchestrator.problems.registry import ProblemRegistry

        pids = ProblemRegistry().get_problem_ids()
    pids = [p for p in pids if args.filter in p]
    agent_cmd = shlex.split(args.aoi) + ["--max-steps", str(args.max_steps), *extra]

    records: List[Dict[str, Any]] = []
    for pid in pids:
        for attempt in range(1, args.attempts + 1):
            record = run_one(pid, agent_cmd, args.max_steps)
            record["attempt"] = attempt
            records.append(record)
            mark = "ok  " if record["success"] else "FAIL"
            print(f"[{len(records)}/{len(pids) * args.attempts}] {mark} {pid} #{attempt}", file=sys.stderr, flush=True)
            # Written after every attempt, so a long campaign can be stopped and inspected.
            with open(args.out, "w", encoding="utf-8") as f:
                json.dump({"summary": summarise(records), "records": records}, f, indent=2, default=str)

    summary = summarise(records)
    for task, row in summary.items():
        print(
            f"{task:13} problems {row['problems']:3}  avg@1 {row['avg@1'] * 100:5.1f}%  "
            f"best@{args.attempts} {row['best@k'] * 100:5.1f}%"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
