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
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from aoi_agent import AoiAgent  # noqa: E402
from tests.shell_double import MODES, exec_shell  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
AOI = [os.environ.get("AOI_NODE", "node"), os.environ.get("AOI_BIN", os.path.join(ROOT, "bin", "aoi.js"))]
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


# --- AIOpsLab's response parser and submit rule, as documented ------------------------------------------
# Modelled on aiopslab/orchestrator/parser.py ResponseParser (validate, extract_codeblock, parse_args) and
# Orchestrator.ask_env's submit rule, at microsoft/AIOpsLab ddf7e406; written from the behaviour, not copied.
class ParseError(Exception):
    pass


def parse_action(response: str):
    """(api name, positional args, keyword args) as the orchestrator's parser returns them."""
    if len(re.findall(r"```\s*\n(.*?)\n```", response, re.DOTALL)) != 1:
        raise ParseError("Format validation failure. Only have one pair of three ticks in your block")
    lines = response.split("\n")
    fences = [i for i, line in enumerate(lines) if "```" in line]
    code = "\n".join(lines[fences[0] + 1 : fences[1]])
    if lines[fences[0]].strip() != "```":
        # The real parser would read "bash" into the API name; no API has such a name.
        raise ParseError("the opening fence carries a language tag")
    first, last = code.find("("), code.rfind(")")
    if first == -1 or last == -1:
        raise ParseError("No API call found!")
    name = code[:first].strip()
    args_str = code[first + 1 : last].strip()
    if not args_str:
        return name, [], {}
    if name == "exec_shell":
        if args_str.startswith("command="):
            args_str = args_str.replace("command=", "").strip()
        if args_str.startswith('"') and args_str.endswith('"'):
            arg = args_str.strip('"')
        elif args_str.startswith("'") and args_str.endswith("'"):
            arg = args_str.strip("'")
        else:
            raise ParseError("commands must be quoted strings")
        return name, [arg.replace('\\"', '"').replace("\\'", "'")], {}
    call = ast.parse(f"f({args_str})").body[0].value  # type: ignore[attr-defined]
    return (
        name,
        [ast.literal_eval(arg) for arg in call.args],
        {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords},
    )


def stored_solution(args: list):
    """Orchestrator.ask_env: args[0] with one positional argument, else the list (keywords are dropped)."""
    return args[0] if len(args) == 1 else args


def context_of(response: str) -> str:
    """The text before the fenced block, which the parser keeps as context."""
    return response.split("```", 1)[0].strip()


# --- the graders (AIOpsLab's evals for these problems, faithfully) ----------------------------------------
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
    # The target_port family's loop: pods without container statuses are skipped.
    for pod in kubectl_json(kubeconfig, "get", "pods", "-n", namespace)["items"]:
        for status in pod.get("status", {}).get("containerStatuses") or []:
            state = status.get("state", {})
            if state.get("waiting", {}).get("reason") == "CrashLoopBackOff":
                return False
            if "terminated" in state and state["terminated"].get("reason") != "Completed":
                return False
            if not status.get("ready"):
                return False
    return True


def localization_success(soln, names: list) -> bool:
    """is_exact_match / is_subset as the localization evals use them, for each accepted name."""
    if soln is None:
        return False
    as_list = soln if isinstance(soln, list) else [soln]
    exact = any(as_list == [name] for name in names)
    subset = any({name} <= set(soln) for name in names)
    return exact or (subset and len(soln) == 1)


def score(problem: dict, soln, kubeconfig: str) -> bool:
    expect = problem["expect"]
    task = problem["task"]
    if task == "detection":
        return isinstance(soln, str) and soln.strip().lower() == expect["detection"].lower()
    if task == "localization":
        return localization_success(soln, expect["faultyComponents"][:1] + (expect.get("accepted") or []))
    if task == "analysis":
        return (
            isinstance(soln, dict)
            and str(soln.get("system_level", "")).strip().lower() == expect["systemLevel"].lower()
            and str(soln.get("fault_type", "")).strip().lower() == expect["faultType"].lower()
        )
    check = expect["mitigation"]
    if check == "targetPort":
        service = kubectl_json(kubeconfig, "get", "service", problem["target"], "-n", problem["namespace"])
        if service["spec"]["ports"][0].get("targetPort") != 9090:
            return False
    return pods_ok(kubeconfig, problem["namespace"])


class SimCluster:
    """``aoi sim start --problem ID`` as a subprocess; the banner gives the kubeconfig."""

    def __init__(self, problem_id: str, workdir: str) -> None:
        self.kubeconfig = os.path.join(workdir, "kubeconfig")
        self.errors = open(os.path.join(workdir, "sim.log"), "w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [*AOI, "sim", "start", "--problem", problem_id, "--kubeconfig", self.kubeconfig, "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=self.errors,
            text=True,
            env=dict(os.environ, AOI_STATE_DIR=workdir),
        )
        banner = []
        deadline = time.monotonic() + 60
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                self.errors.close()
                with open(os.path.join(workdir, "sim.log"), encoding="utf-8") as f:
                    raise RuntimeError(f"aoi sim exited: {''.join(banner)}{f.read()[-2000:]}")
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
        self.errors.close()


WRITE = re.compile(r"\bkubectl\s+(?:patch|scale|set|rollout|delete|annotate|label|apply|create|replace)\b")
INSTRUCTIONS = "Respond with one API call."


class OrchestratorShell:
    """exec_shell in one mode, with the orchestrator's admin kubeconfig; the first ``refuse`` writes run with
    the read-only one instead, so the simulated API server refuses them (a policy-allowed patch that fails)."""

    def __init__(self, mode: str, cluster: "SimCluster", refuse: int) -> None:
        self.mode, self.cluster, self.refuse = mode, cluster, refuse
        self.refused = 0
        self.blocked = 0
        self.commands: list = []

    def __call__(self, command: str) -> str:
        self.commands.append(command)
        kubeconfig = self.cluster.admin_kubeconfig
        if WRITE.search(command) and self.refused < self.refuse:
            self.refused += 1
            kubeconfig = self.cluster.kubeconfig
        output = exec_shell(command, self.mode, env=dict(os.environ, KUBECONFIG=kubeconfig))
        if output.startswith("Error: Cannot use"):
            self.blocked += 1
        return output


def run_episode(problem: dict, mode: str, workdir: str, refuse: int, cluster: "SimCluster") -> dict:
    log_path = os.path.join(workdir, f"agent-{mode}.log")
    log = open(log_path, "w", encoding="utf-8")
    agent = AoiAgent(
        command=[*AOI, "agent", "--stdio", "--reasoner", "rules", "--settle-pause", "500"],
        env=dict(os.environ, AOI_STATE_DIR=workdir),
        stderr=log,
        timeout=120,
    )
    shell = OrchestratorShell(mode, cluster, refuse)
    started = time.monotonic()
    result = {"id": problem["id"], "mode": mode, "task": problem["task"], "refuse": refuse, "steps": 0}
    result.update({"submit": None, "success": False, "report": ""})
    try:
        agent.init_context(task_description(problem), INSTRUCTIONS, {"exec_shell": "run a shell command"})
        result["messages_ok"] = agent.system_message.startswith(
            task_description(problem)
        ) and agent.task_message == INSTRUCTIONS
        text = NEXT
        for _ in range(MAX_STEPS):
            reply = asyncio.run(agent.get_action(text))
            result["steps"] += 1
            name, args, _kwargs = parse_action(reply)
            if name == "submit":
                result["submit"] = stored_solution(args)
                result["report"] = context_of(reply)
                result["success"] = score(problem, result["submit"], cluster.admin_kubeconfig)
                break
            if name != "exec_shell":
                raise ParseError(f"unexpected API {name}")
            # Orchestrator.start_problem: the output, a newline, then the prompt.
            text = f"{shell(args[0])}\n{NEXT}"
    finally:
        agent.close()
        log.close()
    with open(log_path, encoding="utf-8") as f:
        agent_log = f.read()
    result["commands"] = len(shell.commands)
    result["writes"] = sum(1 for c in shell.commands if WRITE.search(c))
    result["refused"] = shell.refused
    result["blocked"] = shell.blocked
    result["noticed"] = len(re.findall(r"write attempt \d+ (?:failed|missing)", agent_log))
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def episodes(problems: list) -> list:
    """(problem, modes, refuse): the read-only tasks run their three modes on one simulator (reads change
    nothing); each mitigation gets a fresh simulator per mode, once with its first write refused and once
    with every write refused."""
    plan = []
    for problem in problems:
        if problem["task"] != "mitigation":
            plan.append((problem, MODES, 0))
            continue
        plan += [(problem, (mode,), refuse) for refuse in (1, 99) for mode in MODES]
    return plan


def run_plan(plan: list) -> list:
    def one(item):
        problem, modes, refuse = item
        out = []
        with tempfile.TemporaryDirectory() as workdir:
            cluster = SimCluster(problem["id"], workdir)
            try:
                for mode in modes:
                    try:
                        out.append(run_episode(problem, mode, workdir, refuse, cluster))
                    except Exception as error:
                        log = os.path.join(workdir, f"agent-{mode}.log")
                        tail = open(log, encoding="utf-8").read()[-4000:] if os.path.exists(log) else ""
                        out.append({"id": problem["id"], "mode": mode, "refuse": refuse, "error": f"{error!r}\n{tail}"})
            finally:
                cluster.stop()
        return out

    # Episodes are independent processes (a simulator and an agent each); two at a time on a small machine.
    with ThreadPoolExecutor(max_workers=int(os.environ.get("AOI_RELAY_WORKERS", "2"))) as pool:
        results = [r for rs in pool.map(one, plan) for r in rs]
    order = {mode: i for i, mode in enumerate(MODES)}
    return sorted(results, key=lambda r: (order[r["mode"]], TASK_ORDER.index(r.get("task", "mitigation")), r["refuse"]))


TASK_ORDER = ("detection", "localization", "analysis", "mitigation")


def mode_table(results: list) -> str:
    rows = ["| mode | episodes | actions | writes sent | failed writes injected | detected | scored success |"]
    rows.append("|---|---|---|---|---|---|---|")
    for mode in MODES:
        rs = [r for r in results if r.get("mode") == mode and "error" not in r]
        rows.append(
            f"| {mode} | {len(rs)} | {sum(r['steps'] for r in rs)} | {sum(r['writes'] for r in rs)} | "
            f"{sum(r['refused'] for r in rs)} | {sum(r['noticed'] for r in rs)} | "
            f"{sum(1 for r in rs if r['success'])}/{len(rs)} |"
        )
    return "\n".join(rows)


class RelayTest(unittest.TestCase):
    maxDiff = None

    def test_every_task_type_in_every_shell_mode(self) -> None:
        path = os.environ.get("AOI_RELAY_PROBLEMS")
        if not path:
            self.skipTest("AOI_RELAY_PROBLEMS is not set (run through tests/agent/python-relay.test.ts)")
        with open(path, encoding="utf-8") as f:
            problems = json.load(f)
        results = run_plan(episodes(problems))
        print("AOI_RELAY_RESULTS " + json.dumps(results), flush=True)
        print(mode_table(results), file=sys.stderr, flush=True)
        for r in results:
            with self.subTest(problem=r["id"], mode=r["mode"], refuse=r["refuse"]):
                self.assertNotIn("error", r, r.get("error"))
                self.assertIsNotNone(r["submit"], f"no submit in {MAX_STEPS} steps: {r}")
                self.assertTrue(r["messages_ok"], "system_message / task_message are not the init texts")
                self.assertEqual(r["blocked"], 0, "a command hit exec_shell's BLOCK_LIST")
                self.assertLessEqual(r["steps"], MAX_STEPS)
                if r["refuse"] == 0:
                    self.assertTrue(r["success"], r)
                    self.assertEqual(r["noticed"], 0, r)
                elif r["refuse"] == 1:
                    # The refused write is noticed, retried, read back, and the fix holds.
                    self.assertEqual((r["refused"], r["noticed"]), (1, 1), r)
                    self.assertTrue(r["success"], r)
                    self.assertEqual(r["report"], "", r)
                else:
                    # Every write refused: each attempt noticed, and the submit says the fix did not take.
                    self.assertGreaterEqual(r["refused"], 2, r)
                    self.assertEqual(r["noticed"], r["refused"], r)
                    self.assertFalse(r["success"], r)
                    self.assertIn("NOT verified", r["report"], r)


class ParserTest(unittest.TestCase):
    def test_the_parser_replica(self) -> None:
        self.assertEqual(
            parse_action('```\nexec_shell("kubectl get pods -p \'{\\"a\\":1}\'")\n```'),
            ("exec_shell", ["kubectl get pods -p '{\"a\":1}'"], {}),
        )
        self.assertEqual(parse_action('```\nsubmit(["geo"])\n```'), ("submit", [["geo"]], {}))
        self.assertEqual(parse_action("```\nsubmit()\n```"), ("submit", [], {}))
        with self.assertRaises(ParseError):
            parse_action("```bash\nexec_shell(\"ls\")\n```")
        with self.assertRaises(ParseError):
            parse_action('```\nsubmit("a")\n```\n```\nsubmit("b")\n```')

    def test_the_submit_rule(self) -> None:
        cases = [
            ('submit("Yes")', "Yes"),
            ('submit(["a", "b"])', ["a", "b"]),
            ("submit()", []),
            ('submit(has_anomaly="Yes")', []),
            ('submit("a", "b")', ["a", "b"]),
        ]
        for call, stored in cases:
            _name, args, _kwargs = parse_action(f"```\n{call}\n```")
            self.assertEqual(stored_solution(args), stored, call)

    def test_localization_as_aiopslab_scores_it(self) -> None:
        self.assertTrue(localization_success("user-service", ["user-service"]))
        self.assertTrue(localization_success({"user-service": "x"}, ["user-service"]))
        self.assertFalse(localization_success([3], ["user-service"]))
        self.assertTrue(localization_success(["geo"], ["mongodb-geo", "geo"]))


class AgentLifecycleTest(unittest.TestCase):
    """The child process ends even when AIOpsLab's runner never calls close()."""

    STUB = (
        "import json,sys\n"
        "for line in sys.stdin:\n"
        "    print(json.dumps({'type': 'action', 'action': '```\\nsubmit()\\n```'}), flush=True)\n"
    )

    def _agent(self) -> AoiAgent:
        agent = AoiAgent(command=[sys.executable, "-c", self.STUB], timeout=30)
        agent.init_context("desc", "instr", {"submit": "doc"})
        self.assertEqual(asyncio.run(agent.get_action(NEXT)), "```\nsubmit()\n```")
        self.assertEqual((agent.task_message, agent.system_message), ("instr", "desc\n\nAvailable APIs:\nsubmit\ndoc"))
        return agent

    def test_garbage_collection_ends_the_child(self) -> None:
        agent = self._agent()
        proc = agent.proc
        assert proc is not None
        del agent
        import gc

        gc.collect()
        self.assertIsNotNone(proc.poll(), "the child is still running")

    def test_interpreter_exit_ends_the_child(self) -> None:
        with tempfile.TemporaryDirectory() as workdir:
            done = os.path.join(workdir, "child-exited")
            # After stdin closes, the child takes a second before it records its exit: only a parent that
            # waits for it (the finalizer does) finds the record there when it has exited itself.
            stub = self.STUB + f"import time\ntime.sleep(1)\nopen({done!r}, 'w').close()\n"
            script = (
                "import sys; sys.path.insert(0, %r)\n"
                "from aoi_agent import AoiAgent\n"
                "agent = AoiAgent(command=[sys.executable, '-c', %r])\n"
                "agent.init_context('d', 'i', {})\n"
                "KEEP = agent\n"
            ) % (os.path.dirname(HERE), stub)
            out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertTrue(os.path.exists(done), "the parent exited without ending its aoi child")


if __name__ == "__main__":
    unittest.main()
