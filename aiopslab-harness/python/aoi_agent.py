"""aoi as an AIOpsLab agent: a thin relay to ``aoi agent --stdio`` (standard library only).

AIOpsLab's runner calls ``init_context(problem_desc, instructions, apis)`` once and then
``await get_action(input)`` until the episode ends. This class starts one ``aoi agent --stdio`` process per
problem and relays both as JSON lines:

    -> {"type": "init", "problem": ..., "instructions": ..., "apis": {...}}
    <- {"type": "action", "action": "```\\nexec_shell(\\"kubectl get pods ...\\")\\n```"}
    -> {"type": "step", "output": "<the orchestrator's last output>"}
    <- {"type": "action", "action": ...}

The first ``get_action`` (AIOpsLab's "Please take the next action") returns the reply to ``init``.

After a run, AIOpsLab's ``service.py`` reads ``agent.system_message`` and ``agent.task_message``: here they are
the texts ``init_context`` received (the task description with the API docs, and the instructions). The child
process ends with ``close()``, and also when the agent is garbage-collected or the interpreter exits
(``weakref.finalize``), since AIOpsLab's runners never call ``close()``.

Checked against microsoft/AIOpsLab commit ddf7e406 (see README.md, "Which AIOpsLab").
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import subprocess
import sys
import threading
import weakref
from typing import Any, Optional, Sequence

DEFAULT_COMMAND = "aoi agent --stdio"


class AoiAgentError(RuntimeError):
    """The aoi process answered with an error, or stopped answering."""


class AoiAgent:
    def __init__(
        self,
        command: Optional[Sequence[str]] = None,
        env: Optional[dict] = None,
        cwd: Optional[str] = None,
        stderr: Any = None,
        timeout: float = 300.0,
    ) -> None:
        """``command`` defaults to $AOI_AGENT_CMD, else ``aoi agent --stdio``; ``stderr`` defaults to ours."""
        if command is None:
            command = shlex.split(os.environ.get("AOI_AGENT_CMD", DEFAULT_COMMAND))
        self.command = list(command)
        self.env = env
        self.cwd = cwd
        self.stderr = stderr if stderr is not None else sys.stderr
        self.timeout = timeout
        self.proc: Optional[subprocess.Popen] = None
        self.first_pending = False
        self.steps = 0
        self.actions: list = []
        self.system_message = ""
        self.task_message = ""
        self._finalizer: Optional[weakref.finalize] = None

    # --- the AIOpsLab agent interface -------------------------------------------------------------
    def init_context(self, problem_desc: str, instructions: str, apis: Any) -> None:
        self.close()
        self.proc = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=self.env,
            cwd=self.cwd,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        # Holds the process, not self: it runs at garbage collection or at exit if close() never does.
        self._finalizer = weakref.finalize(self, _stop, self.proc)
        self.steps = 0
        self.actions = []
        self.system_message = _system_message(problem_desc, apis)
        self.task_message = instructions or ""
        self._send(
            {
                "type": "init",
                "problem": problem_desc,
                "instructions": instructions or "",
                "apis": _jsonable(apis),
            }
        )
        self.first_pending = True

    async def get_action(self, input: str) -> str:  # noqa: A002 - AIOpsLab's parameter name
        return await asyncio.to_thread(self.get_action_sync, input)

    # --- plumbing -----------------------------------------------------------------------------------
    def get_action_sync(self, input: str) -> str:  # noqa: A002
        if self.proc is None:
            raise AoiAgentError("init_context was not called")
        if self.first_pending:
            self.first_pending = False
        else:
            self._send({"type": "step", "output": input})
        reply = self._receive()
        if reply.get("type") != "action":
            raise AoiAgentError(f"aoi answered {reply.get('code')}: {reply.get('message')}")
        action = reply["action"]
        self.steps += 1
        self.actions.append(action)
        return action

    def _send(self, message: dict) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError as error:
            raise AoiAgentError(f"aoi exited with {self.proc.poll()}") from error

    def _receive(self) -> dict:
        assert self.proc is not None and self.proc.stdout is not None
        result: dict = {}

        def read() -> None:
            result["line"] = self.proc.stdout.readline()  # type: ignore[union-attr]

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(self.timeout)
        if reader.is_alive():
            raise AoiAgentError(f"aoi did not answer within {self.timeout} s")
        line = result.get("line", "")
        if not line:
            raise AoiAgentError(f"aoi closed its output (exit code {self.proc.poll()})")
        return json.loads(line)

    def close(self) -> None:
        """Ends the aoi process: closing its stdin makes it exit 0."""
        finalizer, self._finalizer, self.proc = self._finalizer, None, None
        if finalizer is not None:
            finalizer()


def _stop(proc: subprocess.Popen) -> None:
    """Closes the child's stdin and waits for it to exit; kills it after 10 s."""
    try:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(timeout=10)
    except (subprocess.TimeoutExpired, BrokenPipeError, OSError):
        proc.kill()
        proc.wait()
    finally:
        if proc.stdout:
            proc.stdout.close()


def _system_message(problem_desc: str, apis: Any) -> str:
    """The task description followed by the API docs, as AIOpsLab's own clients build their system message."""
    if isinstance(apis, dict) and apis:
        docs = "\n\n".join(f"{name}\n{doc}" for name, doc in apis.items())
        return f"{problem_desc}\n\nAvailable APIs:\n{docs}"
    return problem_desc


def _jsonable(value: Any) -> Any:
    """AIOpsLab's API dict maps names to docstrings; anything odd is sent as its text."""
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
        return str(value)
