"""What `make run` prints once the stack is up: where to click, how to sign in, logs, stopping."""

from devstack.mailbox import code_of
from devstack.operator import WayIn
from devstack.stack import RunningStack
from shared.settings import DEV_ADMIN_TOKEN

WHAT = {
    "portal": "the web pages: sign in by emailed link",
    "accounts-api": "sign-in by emailed link, people, access tokens",
    "registry": "affiliates, programs, offerings",
    "scheduler-api": "educators, facilitators, registrations, cohorts",
    "notifier-api": "messages sent, calendar feeds",
}
FIELD = "python3 -c 'import json, sys; print(json.load(sys.stdin)[\"access_token\"])'"


def accounts_url(stack: RunningStack) -> str:
    """Where the stack's accounts service answers."""
    port = next((svc.port for svc in stack.services if svc.name == "accounts-api"), None)
    return f"http://127.0.0.1:{port or 8004}"


def token_command(stack: RunningStack) -> str:
    """A shell command printing the JSON of a fresh operator access token."""
    token = stack.settings.cohort_admin_token
    pasted = token if token == DEV_ADMIN_TOKEN else "$COHORT_ADMIN_TOKEN"
    return f'curl -s -X POST -H "Authorization: Bearer {pasted}" {accounts_url(stack)}/token'


def _open(stack: RunningStack) -> list[str]:
    apis = sorted((svc for svc in stack.services if svc.port), key=lambda s: s.name != "portal")
    lines = ["  Open in a browser:"]
    for svc in apis:
        name = svc.name.removesuffix("-api")
        # The portal is pages for people; the APIs show their interactive docs.
        url = f"http://127.0.0.1:{svc.port}/" + ("" if svc.name == "portal" else "docs")
        lines.append(f"    {name:<10} {url}   {WHAT.get(svc.name, '')}")
    where = f"{stack.viewer}   every message Cohort sends" if stack.viewer else stack.mail
    return [*lines, f"    {'mail':<10} {where}"]


def _token(stack: RunningStack) -> list[str]:
    apis = [svc for svc in stack.services if svc.name == "registry"]
    lines = [
        "  An operator access token (valid 15 minutes; run it again for a new one):",
        f"    {token_command(stack)}",
        '  On a /docs page click "Authorize" and paste its access_token. From a terminal:',
        f"    TOKEN=$({token_command(stack)} | {FIELD})",
    ]
    if apis:
        url = f"http://127.0.0.1:{apis[0].port}/offerings"
        lines.append(f'    curl -H "Authorization: Bearer $TOKEN" {url}')
    return lines


def _sign_in(stack: RunningStack, way_in: WayIn) -> list[str]:
    lines = [f"  Sign in as the operator, {way_in.email} (COHORT_OPERATOR_EMAIL):"]
    if way_in.problem:
        return [*lines, f"    could not ask accounts for a sign-in link: {way_in.problem}"]
    if way_in.link is None:
        where = stack.viewer or stack.mail
        return [*lines, f"    a sign-in link is on its way to them; see the mail ({where})"]
    body = f'{{"code": "{code_of(way_in.link)}"}}'
    return [
        *lines,
        f"    open the mailed link in a browser (single use, 15 minutes): {way_in.link}",
        "    or redeem it from a terminal for a session and an access token:",
        f"    curl -s -X POST -H 'Content-Type: application/json' -d '{body}' "
        f"{accounts_url(stack)}/sign-in/redeem",
    ]


def banner(stack: RunningStack, way_in: WayIn) -> str:
    """The banner text."""
    lines = ["", "Cohort is running.", "", *_open(stack), "", *_token(stack)]
    lines += ["", *_sign_in(stack, way_in)]
    background = [svc.name for svc in stack.services if not svc.port]
    if background:
        lines += ["", f"  Also running in the background: {', '.join(background)}."]
    lines += [
        f"  Logs: {stack.log_dir}/  (one file per process, e.g. {stack.log_dir}/registry.log)",
        "  Stop: press Ctrl-C in this window.",
        "",
    ]
    return "\n".join(lines)
