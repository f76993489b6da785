"""Schemathesis against a running stack: seed data, one run per service and caller, its report."""

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.actors import World, meeting_body, next_weekday_at
from tests.e2e.harness import Stack
from tests.support.processes import ROOT
from tests.support.tokens import facilitator_token

FUZZ_VENV = ROOT / ".venv-fuzz"
SCHEMATHESIS = FUZZ_VENV / "bin" / "schemathesis"
# Cases per operation and phase; all six runs take about a minute on 2 cores at this size.
MAX_EXAMPLES = 20
# A run that has not finished by then is stuck: it fails rather than holding up `make test`.
RUN_TIMEOUT = 120
REQUEST_TIMEOUT = 10
# The checks on every answer, and why these:
# - not_a_server_error: a 5xx is a bug, whatever the input;
# - status_code_conformance: every status a route gives is declared, so clients can rely on it;
# - content_type_conformance: the declared media type is the one served (JSON, the .ics feed);
# - response_headers_conformance: declared headers are present and well formed;
# - response_schema_conformance: bodies match the declared models, error answers included;
# - negative_data_rejection: input the schema forbids is refused with a 4xx, never taken;
# - ignored_auth, missing_required_header: a route that declares the bearer token as required
#   refuses a request without it, or with a wrong one;
# - unsupported_method, allow_header_conformance: a method a path does not serve is 405 with
#   an Allow header naming exactly the methods it does serve.
# Left out: positive_data_acceptance (schema-valid input may still break a rule the schema
# cannot say, such as a mail address or an IANA zone, or name a row that is not there), the
# stateful resource checks (use_after_free, ensure_resource_availability: no route deletes),
# object_level_authorization (it needs two callers in one run) and response times (timing on a
# shared 2-core machine would make the test flaky).
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "ignored_auth",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
)
# Path parameters that name seeded rows, given these ids half the time so that requests reach
# real objects as well as missing ones.
SEEDED_ID_PARAMETERS = ("offering_id", "registration_id", "facilitator_id", "delivery_id")
SEEDED_IDS = (1, 2)
API_PROCESSES = {"registry": "registry", "scheduler": "scheduler-api", "notifier": "notifier-api"}


@dataclass(frozen=True)
class Pass:
    """One schemathesis run: a service, the caller whose token it sends, the routes it covers."""

    service: str
    caller: str
    paths: str | None = None
    # Operations this caller may not use at all (`METHOD /path`): another run covers them.
    skip: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """How the run is called in test ids and reports."""
        return f"{self.service}-{self.caller}"

    def covers(self, operation: str) -> bool:
        """Tell whether this run tests an operation (`METHOD /path`)."""
        path = operation.split(" ", 1)[1]
        return operation not in self.skip and (not self.paths or bool(re.search(self.paths, path)))


PASSES = (
    Pass("registry", "operator", skip=("POST /offerings",)),
    Pass("registry", "affiliate", r"^/offerings"),
    Pass("scheduler", "operator", skip=("POST /registrations", "POST /check-ins")),
    Pass("scheduler", "educator", r"^/(registrations|check-ins$)"),
    Pass(
        "scheduler",
        "affiliate",
        r"^/(registrations|offerings|facilitators$)",
        ("GET /facilitators", "POST /registrations"),
    ),
    Pass(
        "notifier",
        "operator",
        skip=(
            "GET /feeds/me",
            "POST /feeds/me/reset",
            "GET /calendars/me/registrations/{registration_id}.ics",
            "GET /transcripts/me.pdf",
        ),
    ),
    Pass("notifier", "educator", r"^/(feeds|calendars/me/|transcripts/me)"),
)


def operations(spec: dict[str, Any]) -> list[str]:
    """Every `METHOD /path` an OpenAPI document describes."""
    paths = spec["paths"].items()
    return sorted(f"{method.upper()} {path}" for path, methods in paths for method in methods)


def ensure_fuzz_venv() -> None:
    """Build (or confirm) the fuzzer's own virtualenv from its pinned requirements."""
    stamp = FUZZ_VENV.relative_to(ROOT) / ".installed"
    subprocess.run(["make", "--no-print-directory", str(stamp)], cwd=ROOT, check=True)


@dataclass(frozen=True)
class Seeds:
    """Callers with real tokens, all of them backed by rows the seeded ids name."""

    tokens: dict[str, str]


def _ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), f"{response.request.url}: {response.text}"
    return response.json()


def seed(stack: Stack) -> Seeds:
    """An affiliate, program, two facilitators, a published offering and a confirmed educator."""
    world = World.create(stack)
    offering = world.publish_offering([meeting_body(next_weekday_at(30, 9))])
    educator = world.educator()
    world.register(educator, offering)
    facilitator = _ok(
        httpx.post(
            f"{stack.scheduler}/facilitators",
            headers=stack.admin,
            json={
                "name": "Kai Lee",
                "email": f"second-{world.tag}@facilitators.test",
                "timezone": "America/Chicago",
                "certifications": [world.program_code],
                "home_state": "IL",
                "max_sessions_per_month": 4,
                "availability": [{"weekday": 0, "start": "08:00", "end": "17:00"}],
            },
        )
    )
    return Seeds(
        tokens={
            "operator": stack.admin["Authorization"].removeprefix("Bearer "),
            "affiliate": world.affiliate_key,
            "educator": educator["token"],
            "facilitator": facilitator_token(facilitator["id"], name="Kai Lee"),
        }
    )


def config_text(seeds: Seeds) -> str:
    """The schemathesis.toml of every run: seeded ids and feed tokens mixed into the inputs."""
    feed_tokens = [seeds.tokens[name] for name in ("educator", "facilitator", "affiliate")]
    lines = [
        "[dictionaries.seeded-ids]",
        f"values = {json.dumps(list(SEEDED_IDS))}",
        "[dictionaries.feed-tokens]",
        f"values = {json.dumps(feed_tokens)}",
        "[parameters]",
        *(
            f'"path.{name}" = {{ dictionary = "seeded-ids", probability = 0.5 }}'
            for name in SEEDED_ID_PARAMETERS
        ),
        '"path.feed_secret" = { dictionary = "feed-tokens", probability = 0.5 }',
    ]
    return "\n".join(lines) + "\n"


def command(run: Pass, base_url: str, token: str, config: Path, report: Path) -> list[str]:
    """The schemathesis command line of one run."""
    argv = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{base_url}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(MAX_EXAMPLES),
        # The same inputs on every run (Hypothesis derandomized, no example database): a
        # failure here is one to fix, not a dice roll.
        "--generation-deterministic",
        "--request-timeout",
        str(REQUEST_TIMEOUT),
        "--workers",
        "1",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    if run.paths:
        argv += ["--include-path-regex", run.paths]
    for name in run.skip:
        argv += ["--exclude-name", name]
    return argv


@dataclass(frozen=True)
class Outcome:
    """What one run said: its exit code, its printed output and its JSON report."""

    returncode: int
    output: str = field(repr=False)
    report: dict[str, Any] = field(repr=False)


def run_pass(run: Pass, stack: Stack, seeds: Seeds, work: Path) -> Outcome:
    """Run schemathesis once against the running stack and read its report."""
    config = work / "schemathesis.toml"
    config.write_text(config_text(seeds))
    report = work / f"{run.name}.json"
    argv = command(run, getattr(stack, run.service), seeds.tokens[run.caller], config, report)
    done = subprocess.run(
        argv, cwd=work, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
    )
    output = done.stdout + done.stderr
    assert report.exists(), f"schemathesis wrote no report:\n{output[-4000:]}"
    return Outcome(done.returncode, output, json.loads(report.read_text()))


def reached(report: dict[str, Any]) -> list[str]:
    """The operations that answered at least one generated request with a 2xx."""
    return sorted(
        label
        for label, phases in report.get("valid_rates", {}).items()
        if any(phase.get("accepted", 0) > 0 for phase in phases.values())
    )


def api_log(stack: Stack, service: str) -> str:
    """The tail of a service API's own output, for a failure message."""
    return stack.processes[API_PROCESSES[service]].log()[-4000:]
