"""The README's first-10-minutes walkthrough, pasted as written, ends with invites in the mail."""

import os
import re
import subprocess
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.actors import calendars_to
from tests.e2e.harness import ADMIN_TOKEN, Stack
from tests.support.processes import ROOT
from tests.support.smtp import Received, SmtpSink

pytestmark = pytest.mark.e2e


def walkthrough() -> str:
    """The shell block of the README's "The first 10 minutes" section."""
    section = (ROOT / "README.md").read_text().split("## The first 10 minutes", 1)[1]
    match = re.search(r"```sh\n(.*?)\n\s*```", section.split("\n## ", 1)[0], re.DOTALL)
    assert match, "the walkthrough has no sh block"
    return textwrap.dedent(match.group(1))


@contextmanager
def mail_folder(sink: SmtpSink, folder: Path) -> Iterator[Path]:
    """The sink's messages copied into `folder` as the dev mail sink stores them (.eml files)."""
    stop = threading.Event()

    def copy() -> None:
        written = 0
        while not stop.wait(0.1):
            for message in sink.messages[written:]:
                written += 1
                partial = folder / f"{written:05}.part"
                partial.write_bytes(message.data)
                partial.rename(partial.with_suffix(".eml"))

    copier = threading.Thread(target=copy, daemon=True)
    copier.start()
    try:
        yield folder
    finally:
        stop.set()
        copier.join()


def test_the_walkthrough_gets_the_first_invites_to_the_mail(stack: Stack, tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "ADMIN": ADMIN_TOKEN,
        "ACCOUNTS": stack.accounts,
        "REGISTRY": stack.registry,
        "SCHEDULER": stack.scheduler,
        "MAIL": str(tmp_path),
    }
    with mail_folder(stack.sink, tmp_path):
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
