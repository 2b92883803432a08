"""The hosted shell: the model runs commands in a container on OpenAI's side; containers you make, reuse and delete.

With the ``shell`` tool and a hosted ``environment``, the model writes shell commands and
OpenAI runs them in a container, then the model reads what they printed. The response
holds a ``shell_call`` item (the ``commands``, and the limits the model set on them:
``timeout_ms`` and ``max_output_length``) and a ``shell_call_output`` with one output per
command (stdout, stderr and an ``outcome``: an exit code, or a timeout). You execute
nothing; ``max_tool_calls`` bounds how many rounds of commands one response may run.

Two environments are shown:
1. ``container_auto``: a container made for this request, here with the network disabled
   (``network_policy``), so ``curl`` cannot reach example.com;
2. ``container_reference``: a container made with the Containers API
   (``containers.create``), named in two separate requests, so a file the first writes is
   there for the second; the file is then downloaded (``containers.files.content``) and
   the container deleted, even when a request fails;
3. a skill (a folder with a ``SKILL.md``) uploaded with the Skills API (``skills.create``) and
   mounted in an automatic container (``environment.skills``): the model is shown its name and
   description, reads its SKILL.md when it needs it, and does what it says; then it is deleted.
A container keeps its files while it lives: it expires after ``expires_after`` minutes
without use (20 by default, counted from ``last_active_at``) and cannot be revived.
Containers are billed per session by memory size (``memory_limit``: 1g, 4g, 16g or 64g),
on top of the tokens: delete one as soon as you are done. Never let a shell run without a
sandbox: the hosted one is OpenAI's; a local shell (the next lesson) is yours to confine.
What to look for in the output: each command and what it printed, the failed ``curl``,
the file read back in the second request, the container deleted, and the skill's SKILL.md
read before the commands it names.

Run: uv run python Responses_API/Basic_examples/26-hosted_shell_and_containers.py [--out PATH]
(saves the container's notes.txt in output/ when run from the repository's root, which git
ignores, in the current folder when run from elsewhere, or at --out PATH)
API reference: https://developers.openai.com/api/docs/guides/tools-shell
"""

import argparse
import sys
from pathlib import Path

import openai
from openai.types.responses import (
    ContainerAutoParam,
    ContainerNetworkPolicyDisabledParam,
    FunctionShellToolParam,
    Response,
)

from openai_tutorial.client import describe_api_error, get_client, get_model, run
from openai_tutorial.output import output_folder

NO_NETWORK: ContainerNetworkPolicyDisabledParam = {"type": "disabled"}
LIMITS = "Give each shell call a timeout_ms of at most 10000 and a max_output_length of at most 4096."
NOTES = "/mnt/data/notes.txt"
IDLE_MINUTES = 20  # a container of our own is deleted by OpenAI once idle this long
# A skill is a folder with a SKILL.md: front matter the model sees up front, instructions it reads when it uses it.
SKILL = b"""---
name: container-report
description: Report on the container: its Python version and the files in /mnt/data.
---
Run `python3 --version` and `ls -l /mnt/data`, then say what the container holds.
"""


def show(response: Response) -> None:
    """Each command the model ran in the container, what it printed, then the answer."""
    commands: dict[str, list[str]] = {}  # call id -> the call's commands; each output follows its call
    for item in response.output:
        if item.type == "shell_call":
            commands[item.call_id] = item.action.commands
            limits = f"timeout {item.action.timeout_ms} ms, output cut at {item.action.max_output_length} characters"
            environment = item.environment  # typed as any environment: a hosted shell's is always a container
            where = environment.container_id if environment and environment.type == "container_reference" else "?"
            print(f"  shell_call in {where} ({limits}):")
        elif item.type == "shell_call_output":
            for command, output in zip(commands[item.call_id], item.output, strict=False):
                outcome = "timed out" if output.outcome.type == "timeout" else f"exit {output.outcome.exit_code}"
                print(f"    $ {command}   [{outcome}]")
                for line in (output.stdout + output.stderr).splitlines():
                    print(f"      {line}")
    print(f"  answer: {response.output_text}")


def own_container(client: openai.OpenAI, out: Path) -> int:
    """A container made with the Containers API, named in two requests, a file downloaded, the container deleted."""
    container = client.containers.create(
        name="lesson-26",
        memory_limit="1g",
        network_policy=NO_NETWORK,
        expires_after={"anchor": "last_active_at", "minutes": IDLE_MINUTES},
    )
    # The container says when it expires; the SDK types that as optional, so what was asked stands in.
    idle = container.expires_after.minutes if container.expires_after else IDLE_MINUTES
    print(f"  created {container.id} (expires after {idle} idle minutes)")
    try:
        shell: FunctionShellToolParam = {
            "type": "shell",
            "environment": {"type": "container_reference", "container_id": container.id},
        }
        for question in [
            f"Run `printf 'milk\\neggs\\nbread\\n' > {NOTES}` and `wc -l {NOTES}`.",
            f"Run `cat {NOTES}`: what is on the last line?",  # a new request: only the container remembers
        ]:
            response = client.responses.create(
                model=get_model(), instructions=LIMITS, input=question, tools=[shell], max_tool_calls=3
            )
            show(response)
        notes = next((file for file in client.containers.files.list(container.id) if file.path == NOTES), None)
        if notes is None:
            print(f"The container holds no {NOTES}: the model did not write it.", file=sys.stderr)
            return 1
        content = client.containers.files.content.retrieve(notes.id, container_id=container.id)
        out.write_bytes(content.read())
        print(f"  downloaded {notes.path} ({notes.bytes} bytes, written by the {notes.source}) to {out.resolve()}")
        return 0
    finally:
        try:
            client.containers.delete(container.id)
            print(f"  deleted {container.id}")
        except openai.APIError as error:
            print(
                f"Could not delete {container.id}, so it lives until it has been idle for {idle} minutes.",
                file=sys.stderr,
            )
            print(describe_api_error(error), file=sys.stderr)


def with_a_skill(client: openai.OpenAI) -> None:
    """A skill uploaded with the Skills API, mounted in an automatic container, followed by the model; then deleted."""
    skill = client.skills.create(files=[("container-report/SKILL.md", SKILL, "text/markdown")])
    print(f"  uploaded the skill {skill.name} as {skill.id} (version {skill.default_version})")
    try:
        environment: ContainerAutoParam = {
            "type": "container_auto",
            "network_policy": NO_NETWORK,
            "skills": [{"type": "skill_reference", "skill_id": skill.id}],
        }
        response = client.responses.create(
            model=get_model(),
            instructions=LIMITS,
            input="Use the container-report skill.",
            tools=[{"type": "shell", "environment": environment}],
            max_tool_calls=3,
        )
        show(response)
    finally:
        client.skills.delete(skill.id)
        print(f"  deleted the skill {skill.id}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Run commands in hosted containers, then download a file.")
    parser.add_argument("--out", type=Path, help="where to save it (default: notes.txt, see output.py)")
    args = parser.parse_args()
    client = get_client()

    print("1. An automatic container, with the network disabled")
    response = client.responses.create(
        model=get_model(),
        instructions=LIMITS,
        input="Run `python3 --version` and `curl -sI https://example.com`, then say what each one shows.",
        tools=[{"type": "shell", "environment": {"type": "container_auto", "network_policy": NO_NETWORK}}],
        max_tool_calls=3,
    )
    show(response)

    print("\n2. A container of our own, named by reference in two requests")
    if own_container(client, args.out or output_folder() / "notes.txt"):
        return 1

    print("\n3. A skill of our own, mounted in an automatic container")
    with_a_skill(client)
    return 0


if __name__ == "__main__":
    run(main)
