"""The README's first-10-minutes walkthrough, pasted as written, ends with invites in the mail."""

import os
import re
import subprocess
import textwrap

import pytest

from tests.e2e.actors import calendars_to
from tests.e2e.harness import ADMIN_TOKEN, Stack
from tests.support.processes import ROOT
from tests.support.smtp import Received

pytestmark = pytest.mark.e2e


def walkthrough() -> str:
    """The shell block of the README's "The first 10 minutes" section."""
    section = (ROOT / "README.md").read_text().split("## The first 10 minutes", 1)[1]
    match = re.search(r"```sh\n(.*?)\n\s*```", section.split("\n## ", 1)[0], re.DOTALL)
    assert match, "the walkthrough has no sh block"
    return textwrap.dedent(match.group(1))


def test_the_walkthrough_gets_the_first_invites_to_the_mail(stack: Stack) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "TOKEN": ADMIN_TOKEN,
        "REGISTRY": stack.registry,
        "SCHEDULER": stack.scheduler,
    }
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", walkthrough()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr + stack.logs()
    assert '"status":"confirmed"' in done.stdout.replace(" ", "")
    people = ("ana.rivera@schools.example.org", "dana@facilitators.example.org")

    def everyone_invited(messages: list[Received]) -> bool:
        return all(calendars_to(messages, email) for email in people)

    stack.sink.wait_for(everyone_invited, timeout=60)
