"""Plays AIOpsLab's orchestrator against the real ``aoi agent --stdio``, with the simulator as the cluster.

For each problem in $AOI_RELAY_PROBLEMS (a JSON file the vitest wrapper writes from the problem catalog):
start ``aoi sim start --problem ID``, hand aoi an AIOpsLab-style task description, parse every reply the way
AIOpsLab's ResponseParser does (exactly one fenced block, one call), run each exec_shell command through a
shell with the simulator's kubeconfig, and score the final submit against the problem's expected answer.
Standard library only.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from aoi_agent import AoiAgent  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
AOI = [os.environ.get("AOI_NODE", "node"), os.path.join(ROOT, "bin", "aoi.js")]
MAX_STEPS = 30
NEXT = "Please take the next action"

APP_TITLES = {
    "hotel-reservation": "Hotel Reservation",
    "social-network": "Social Network",
    "astronomy-shop": "OpenTelemetry Demo Astronomy Shop",
}

OPENINGS = {
    "detection": "You are an expert DevOps engineer assigned to detect anomalies in a deployed service.",
    "localization": "You are an expert DevOps engineer assigned to localize faults in a deployed service.",
    "analysis": "You are an expert DevOps engineer assigned to do root cause analysis in a deployed service.",
    "mitigation": "You are an expert DevOps engineer assigned to mitigate anomalies in a deployed service.",
}

FORMS = {
    "detection": '1. str: "Yes" or "No" to indicate whether there are anomalies detected',
    "localization": "1. list[str]: list of faulty components (i.e., service names)",
    "analysis": "1. dict[str, str]: A dictionary with two keys: 'system_level' and 'fault_type'.",
    "mitigation": "Your mitigation can be performed using any of the available APIs.",
}


def task_description(problem: dict) -> str:
    summary = (
        f"Service Name: {APP_TITLES[problem['app']]}\n"
        f"Namespace: {problem['namespace']}\n"
        "Description: a microservice application."
    )
    return (
        f"{OPENINGS[problem['task']]}\n\nService Details:\n{summary}\n\n"
        "You will begin by analyzing the service's state and telemetry, and then submit your solution:\n"
        f"{FORMS[problem['task']]}\n"
    )


# --- AIOpsLab's response parser, as documented -------------------------------------------------------
class ParseError(Exception):
    pass


def parse_action(response: str):
    blocks = re.findall(r"```\s*\n(.*?)\n```", response, re.DOTALL)
    if len(blocks) != 1:
        raise ParseError(f"expected one fenced block, found {len(blocks)}")
    lines = response.split("\n")
    fences = [i for i, line in enumerate(lines) if "```" in line]
    code = "\n".join(lines[fences[0] + 1 : fences[1]])
    if lines[fences[0]].strip() != "```":
        raise ParseError("the opening fence carries a language tag")
    first, last = code.find("("), code.rfind(")")
    if first == -1 or last == -1:
        raise ParseError("no API call")
    name = code[:first].strip()
    args_str = code[first + 1 : last].strip()
    if name == "exec_shell":
        if not (args_str.startswith('"') and args_str.endswith('"')):
            raise ParseError("exec_shell takes one double-quoted string")
        command = args_str.strip('"').replace('\\"', '"').replace("\\'", "'")
        return name, [command]
    if not args_str:
        return name, []
    call = ast.parse(f"f({args_str})").body[0].value  # type: ignore[attr-defined]
    if call.keywords:
        raise ParseError("keyword arguments are stored as an empty answer")
    return name, [ast.literal_eval(arg) for arg in call.args]


# --- the orchestrator's shell and the graders ----------------------------------------------------------
def run_shell(command: str, kubeconfig: str) -> str:
    env = dict(os.environ, KUBECONFIG=kubeconfig)
    try:
        out = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=30, env=env)
    except subprocess.TimeoutExpired:
        return "Error: command timed out after 30 s"
    # AIOpsLab's Shell.exec: stderr (when there is any, or on failure), else stdout.
    if out.stderr or out.returncode != 0:
        return out.stderr
    return out.stdout


def kubectl_json(kubeconfig: str, *args: str):
    out = subprocess.run(
        ["kubectl", "--kubeconfig", kubeconfig, *args, "-o", "json"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(out.stdout)


def pods_ok(kubeconfig: str, namespace: str) -> bool:
    for pod in kubectl_json(kubeconfig, "get", "pods", "-n", namespace)["items"]:
        for status in pod.get("status", {}).get("containerStatuses") or []:
            state = status.get("state", {})
            if not status.get("ready"):
                return False
            if state.get("waiting", {}).get("reason") == "CrashLoopBackOff":
                return False
            if "terminated" in state and state["terminated"].get("reason") != "Completed":
                return False
    return True


def score(problem: dict, args: list, kubeconfig: str) -> bool:
    expect = problem["expect"]
    task = problem["task"]
    if task == "detection":
        return len(args) == 1 and str(args[0]).strip().lower() == expect["detection"].lower()
    if task == "localization":
        names = set(expect["faultyComponents"]) | set(expect.get("accepted") or [])
        answer = args[0] if args else None
        return isinstance(answer, list) and (
            answer == expect["faultyComponents"] or (len(answer) == 1 and answer[0] in names)
        )
    if task == "analysis":
        answer = args[0] if args else {}
        return (
            isinstance(answer, dict)
            and str(answer.get("system_level", "")).strip().lower() == expect["systemLevel"].lower()
            and str(answer.get("fault_type", "")).strip().lower() == expect["faultType"].lower()
        )
    check = expect["mitigation"]
    ok = pods_ok(kubeconfig, problem["namespace"])
    if check == "targetPort":
        service = kubectl_json(kubeconfig, "get", "service", problem["target"], "-n", problem["namespace"])
        ok = ok and all(p.get("targetPort") == 9090 for p in service["spec"]["ports"])
    return ok


class SimCluster:
    """``aoi sim start --problem ID`` as a subprocess; the banner gives the kubeconfig."""

    def __init__(self, problem_id: str, workdir: str) -> None:
        self.kubeconfig = os.path.join(workdir, "kubeconfig")
        self.proc = subprocess.Popen(
            [*AOI, "sim", "start", "--problem", problem_id, "--kubeconfig", self.kubeconfig, "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=dict(os.environ, AOI_STATE_DIR=workdir),
        )
        banner = []
        deadline = time.monotonic() + 60
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"aoi sim exited: {''.join(banner)}")
            banner.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        self.server = next(line.split()[-1] for line in banner if "API server" in line)
        # The orchestrator holds admin rights: give its shell the simulator's executor context.
        with open(self.kubeconfig, encoding="utf-8") as f:
            text = f.read()
        self.admin_kubeconfig = os.path.join(workdir, "admin-kubeconfig")
        with open(self.admin_kubeconfig, "w", encoding="utf-8") as f:
            f.write(re.sub(r"(?m)^current-context: .*$", "current-context: aoi-executor", text))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()


def run_episode(problem: dict, workdir: str) -> dict:
    cluster = SimCluster(problem["id"], workdir)
    log = open(os.path.join(workdir, "agent.log"), "w", encoding="utf-8")
    agent = AoiAgent(
        command=[*AOI, "agent", "--stdio", "--reasoner", "rules", "--settle-pause", "500"],
        env=dict(os.environ, AOI_STATE_DIR=workdir),
        stderr=log,
        timeout=120,
    )
    started = time.monotonic()
    result = {"id": problem["id"], "task": problem["task"], "steps": 0, "commands": 0, "submit": None}
    try:
        agent.init_context(task_description(problem), "Respond with one API call.", {"exec_shell": "run"})
        text = NEXT
        for _ in range(MAX_STEPS):
            reply = asyncio.run(agent.get_action(text))
            result["steps"] += 1
            name, args = parse_action(reply)
            if name == "submit":
                result["submit"] = args
                result["success"] = score(problem, args, cluster.admin_kubeconfig)
                break
            if name != "exec_shell":
                raise ParseError(f"unexpected API {name}")
            result["commands"] += 1
            text = f"{run_shell(args[0], cluster.admin_kubeconfig)}\n\n{NEXT}"
        else:
            result["success"] = False
    finally:
        agent.close()
        cluster.stop()
        log.close()
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


class RelayTest(unittest.TestCase):
    maxDiff = None

    def test_one_problem_per_task_type(self) -> None:
        path = os.environ.get("AOI_RELAY_PROBLEMS")
        if not path:
            self.skipTest("AOI_RELAY_PROBLEMS is not set (run through tests/agent/python-relay.test.ts)")
        with open(path, encoding="utf-8") as f:
            problems = json.load(f)
        results = []
        for problem in problems:
            with self.subTest(problem=problem["id"]), tempfile.TemporaryDirectory() as workdir:
                try:
                    result = run_episode(problem, workdir)
                except Exception:
                    with open(os.path.join(workdir, "agent.log"), encoding="utf-8") as f:
                        sys.stderr.write(f.read())
                    raise
                results.append(result)
                self.assertIsNotNone(result["submit"], f"{problem['id']}: no submit in {MAX_STEPS} steps")
                self.assertTrue(result["success"], f"{problem['id']}: {result}")
        print("AOI_RELAY_RESULTS " + json.dumps(results), flush=True)


class ParserTest(unittest.TestCase):
    def test_the_parser_replica(self) -> None:
        self.assertEqual(
            parse_action('```\nexec_shell("kubectl get pods -p \'{\\"a\\":1}\'")\n```'),
            ("exec_shell", ["kubectl get pods -p '{\"a\":1}'"]),
        )
        self.assertEqual(parse_action('```\nsubmit(["geo"])\n```'), ("submit", [["geo"]]))
        self.assertEqual(parse_action("```\nsubmit()\n```"), ("submit", []))
        with self.assertRaises(ParseError):
            parse_action("```bash\nexec_shell(\"ls\")\n```")
        with self.assertRaises(ParseError):
            parse_action('```\nsubmit("a")\n```\n```\nsubmit("b")\n```')


if __name__ == "__main__":
    unittest.main()
