"""What `make run` prints once the stack is up: where to click, how to sign in, logs, stopping."""

from devstack.stack import RunningStack
from shared.settings import DEV_ADMIN_TOKEN

WHAT = {
    "portal": "the web pages: sign in by emailed link",
    "accounts-api": "sign-in by emailed link, people, access tokens",
    "registry": "affiliates, programs, offerings",
    "scheduler-api": "educators, facilitators, registrations, cohorts",
    "notifier-api": "messages sent, calendar feeds",
}


def banner(stack: RunningStack) -> str:
    """The banner text."""
    token = stack.settings.cohort_admin_token
    shown = token if token == DEV_ADMIN_TOKEN else "the value of COHORT_ADMIN_TOKEN"
    pasted = token if token == DEV_ADMIN_TOKEN else "$COHORT_ADMIN_TOKEN"
    apis = sorted((svc for svc in stack.services if svc.port), key=lambda s: s.name != "portal")
    lines = ["", "Cohort is running.", "", "  Open in a browser:"]
    for svc in apis:
        name = svc.name.removesuffix("-api")
        # The portal is pages for people; the APIs show their interactive docs.
        url = f"http://127.0.0.1:{svc.port}/" + ("" if svc.name == "portal" else "docs")
        lines.append(f"    {name:<10} {url}   {WHAT.get(svc.name, '')}")
    if stack.viewer:
        lines.append(f"    {'mail':<10} {stack.viewer}   every message Cohort sends")
    else:
        lines.append(f"    {'mail':<10} {stack.mail}")
    lines += [
        "",
        f'  Sign in as the operator: on a /docs page click "Authorize" and paste  {shown}',
    ]
    registry = next((svc for svc in apis if svc.name == "registry"), None)
    if registry:
        lines += [
            "  Or from a terminal, list every offering:",
            f"    curl -H 'Authorization: Bearer {pasted}' http://127.0.0.1:{registry.port}/offerings",
        ]
    background = [svc.name for svc in stack.services if not svc.port]
    if background:
        lines += ["", f"  Also running in the background: {', '.join(background)}."]
    lines += [
        f"  Logs: {stack.log_dir}/  (one file per process, e.g. {stack.log_dir}/registry.log)",
        "  Stop: press Ctrl-C in this window.",
        "",
    ]
    return "\n".join(lines)
