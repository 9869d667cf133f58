"""A test double of AIOpsLab's ``exec_shell`` for each ``k8s_host`` mode (standard library only).

Written from the documented behaviour, not copied (../shared/aiopslab/README.md, issue 17; checked against
microsoft/AIOpsLab ddf7e406):

- ``aiopslab/orchestrator/actions/base.py`` ``TaskActions.exec_shell``: a command containing one of the
  BLOCK_LIST patterns (plain substring test) is not run; its error string is the output.
- ``aiopslab/service/shell.py`` ``Shell.exec`` picks by ``k8s_host``:

  | mode      | exit 0          | non-zero exit                                           |
  |-----------|-----------------|---------------------------------------------------------|
  | localhost | stdout + stderr | "[ERROR] Command execution failed: " + stderr           |
  | remote    | stdout only     | stderr only (ssh)                                       |
  | kind      | stdout only     | "[ERROR] Docker command execution failed: " + stderr    |

  ``local_exec`` runs the command with ``shell=True``; ``docker_exec`` escapes each ``"`` as ``\\"`` and runs
  ``docker exec kind-control-plane sh -c "<escaped>"`` with ``shell=True``, so the host shell expands ``$``,
  backquotes and backslash escapes before the container's ``sh`` sees the command. Here ``sh -c "…"`` on
  this machine stands in for ``docker exec kind-control-plane sh -c "…"``. ``ssh_exec`` runs the command in
  the remote user's shell; here a local ``sh``.
- A timeout makes ``Shell.exec`` raise ``RuntimeError("Failed to execute command: <command>\\nError: …")``
  and ``Orchestrator.ask_env`` returns ``str(error)`` as the output.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Mapping, Optional

MODES = ("localhost", "remote", "kind")

BLOCK_LIST = {
    "kubectl edit": "Error: Cannot use `kubectl edit`. Use `kubectl patch` instead.",
    "edit svc": "Error: Cannot use `kubectl edit`. Use `kubectl patch` instead.",
    "kubectl port-forward": "Error: Cannot use `kubectl port-forward` because it is an interactive command.",
    "docker logs -f": "Error: Cannot use `docker logs -f`. Use `docker logs` instead.",
    "kubectl logs -f": "Error: Cannot use `kubectl logs -f`. Use `kubectl logs` instead.",
}


def blocked(command: str) -> Optional[str]:
    """The BLOCK_LIST error for a command, or None when exec_shell would run it."""
    for pattern, error in BLOCK_LIST.items():
        if pattern in command:
            return error
    return None


def _run(command: str, env: Optional[Mapping[str, str]], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=timeout
    )


def shell_exec(command: str, mode: str, env: Optional[Mapping[str, str]] = None, timeout: float = 30) -> str:
    """``Shell.exec`` in one mode; raises RuntimeError on a timeout as the real one does."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if mode == "kind":
        escaped = command.replace('"', '\\"')
        host_command = f'sh -c "{escaped}"'
        try:
            out = _run(host_command, env, timeout)
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(
                f"Failed to execute command in Docker container: kind-control-plane\nError: {error}"
            ) from error
        if out.returncode != 0:
            return "[ERROR] Docker command execution failed: " + out.stderr.decode("utf-8")
        return out.stdout.decode("utf-8")
    try:
        out = _run(command, env, timeout)
    except subprocess.TimeoutExpired as error:
        where = "" if mode == "localhost" else " via SSH"
        raise RuntimeError(f"Failed to execute command{where}: {command}\nError: {error}") from error
    if mode == "localhost":
        if out.returncode != 0:
            return "[ERROR] Command execution failed: " + out.stderr.decode("utf-8")
        return out.stdout.decode("utf-8") + out.stderr.decode("utf-8")
    if out.returncode != 0:
        return out.stderr.decode("utf-8")
    return out.stdout.decode("utf-8")


def exec_shell(command: str, mode: str, env: Optional[Mapping[str, str]] = None, timeout: float = 30) -> str:
    """``exec_shell`` as the orchestrator answers it: the BLOCK_LIST first, a raised error as its text."""
    error = blocked(command)
    if error is not None:
        return error
    try:
        return shell_exec(command, mode, env, timeout)
    except RuntimeError as raised:
        return str(raised)


if __name__ == "__main__":
    # python3 shell_double.py MODE COMMAND: prints what exec_shell would return (used by the TypeScript tests).
    sys.stdout.write(exec_shell(sys.argv[2], sys.argv[1]))
