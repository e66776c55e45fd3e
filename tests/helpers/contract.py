"""Each mailing service's own published API description, and requests checked against it.

The fakes in ``helpers.fakes`` are written by the same hands as the adapters, so they cannot be
the judge of what a service accepts. The judge is the vendor's description, vendored byte for
byte under ``tests/contracts/<service>/`` (see each PROVENANCE.md) and read by openapi-core:
method and path, path and query parameters, required body fields, types, enums and the auth
header's shape. Where the description is wrong about the service (ERRATA.md beside it), the
smallest patch is applied here at load time, never to the vendored file.

Every check is counted per service in ``LOG``; conftest prints the counts at the end of a run
and writes them to ``tests/.contract-log.json``.
"""

from __future__ import annotations

import copy
import functools
import gzip
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.templating.responses.exceptions import ResponseNotFound
from werkzeug import Request, Response

CONTRACTS = Path(__file__).resolve().parent.parent / "contracts"
# The fakes listen on 127.0.0.1:<any port>; the descriptions are pointed at this one origin instead
# of the vendor's, so that a description loaded once serves every test's server.
ORIGIN = "http://fake.test"


@dataclass(frozen=True)
class Source:
    """Where a service's description is and where its fake serves the API's root."""

    original: str  # the vendored file, byte for byte (PROVENANCE.md holds its sha256)
    mount: str  # the path of the API root on the fake: the path part of the vendor's server URL
    converted: str | None = None  # an OpenAPI 3 file made from ``original`` (Swagger 2.0), if any

    @property
    def loaded(self) -> str:
        return self.converted or self.original


SOURCES: dict[str, Source] = {
    "mailchimp": Source("openapi.yaml", "/3.0"),
    "buttondown": Source("openapi.json.gz", "/v1"),
    "kit": Source("openapi.yaml", ""),
    "listmonk": Source("collections.yaml", "/api"),
    "brevo": Source("swagger.yaml.gz", "/v3", converted="openapi3.json.gz"),
    "mailerlite": Source("openapi.yaml", "/api"),
}

# Errata, one list per service: (operation, JSON pointer, value, the entry in ERRATA.md it applies).
# "add" sets a key (or replaces it), "remove" deletes it.
Patch = tuple[str, str, Any, str]
MAILCHIMP_PATCH = "/paths/~1campaigns~1{campaign_id}/patch/requestBody/content/application~1json/schema"
KIT_BODY = "/paths/~1v4~1broadcasts{id}/{method}/requestBody/content/application~1json/schema/allOf/1/required"
ERRATA: dict[str, list[Patch]] = {
    "mailchimp": [
        ("add", f"{MAILCHIMP_PATCH}/required", ["settings"], "E1"),
        ("add", f"{MAILCHIMP_PATCH}/properties/settings", {"allOf": [
            {"$ref": "#/components/schemas/CampaignsSettings"},
            {"required": ["subject_line", "from_name", "reply_to"]},
        ]}, "E1"),
    ],
    "buttondown": [],
    "kit": [
        ("add", KIT_BODY.format(id="", method="post"), ["content", "description", "public", "preview_text",
                                                       "subject"], "K1"),
        ("add", KIT_BODY.format(id="~1{id}", method="put"), ["content", "description", "public", "preview_text",
                                                            "send_at", "subject"], "K1"),
        ("remove", "/components/schemas/FilterGroup/required", None, "K2"),
        ("add", "/components/schemas/FilterGroup/maxProperties", 1, "K2"),
        ("add", "/paths/~1v4~1broadcasts~1{broadcast_id}~1clicks/get/parameters", [
            {"name": "broadcast_id", "in": "path", "required": True, "schema": {"type": "integer"}},
            {"name": "after", "in": "query", "required": False, "schema": {"type": "string", "nullable": True}},
            {"name": "per_page", "in": "query", "required": False,
             "schema": {"type": "integer", "maximum": 1000, "nullable": True}},
        ], "K10"),
    ],
    "listmonk": [
        ("add", "/paths/~1campaigns/get/parameters/0/schema/items/enum",
         ["draft", "running", "scheduled", "paused", "cancelled", "finished"], "E1"),
        ("remove", "/paths/~1campaigns~1analytics~1{type}/get/parameters/1/schema/format", None, "E8"),
    ],
    "brevo": [
        ("remove", "/paths/~1emailCampaigns/get/parameters/8/schema/enum", None, "B6"),
    ],
    "mailerlite": [],
}


def read(path: Path) -> Any:
    """A description file as data: JSON or YAML, gzip-compressed when it ends in .gz."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    name = path.name.removesuffix(".gz")
    return json.loads(raw) if name.endswith(".json") else yaml.safe_load(raw)


def _parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def patched(service: str, document: Any) -> Any:
    """The description with the service's errata applied (a copy; the vendored data is untouched)."""
    document = copy.deepcopy(document)
    for op, pointer, value, _erratum in ERRATA[service]:
        *parents, last = _parts(pointer)
        node = document
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if op == "add":
            node[last] = value
        elif op == "remove":
            del node[last]
        else:
            raise ValueError(f"{service}: unknown erratum operation {op!r}")
    return document


def description(service: str) -> Any:
    """The loaded description after its errata, as the vendor serves it (its own servers)."""
    source = SOURCES[service]
    return patched(service, read(CONTRACTS / service / source.loaded))


class _Request(WerkzeugOpenAPIRequest):
    """A request to a fake as if it had gone to the one origin the descriptions are pointed at."""

    @property
    def host_url(self) -> str:
        return ORIGIN


LOG: dict[str, Counter[str]] = {}
PROBLEMS: list[str] = []  # every violation of the session, as reported, for the log file


def _lines(error: BaseException) -> list[str]:
    """openapi-core's error as readable lines: the schema errors with where they are, else the message."""
    found: list[str] = []
    seen: BaseException | None = error
    while seen is not None:
        for schema_error in getattr(seen, "schema_errors", None) or []:
            where = "/".join(str(p) for p in schema_error.absolute_path) or "(body)"
            found.append(f"{where}: {schema_error.message}")
        seen = seen.__cause__
    return found or [str(error)]


class Contract:
    """One service's description, loaded once a session: it finds and checks requests and answers."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.mount = SOURCES[service].mount
        document = description(service)
        document["servers"] = [{"url": ORIGIN + SOURCES[service].mount}]
        # openapi-core lets any request through an OAuth2 or OpenID scheme (it cannot check them); on the
        # wire both are a bearer token, so that is the shape the auth header is held to.
        for name, scheme in document.get("components", {}).get("securitySchemes", {}).items():
            if scheme.get("type") in ("oauth2", "openIdConnect"):
                document["components"]["securitySchemes"][name] = {"type": "http", "scheme": "bearer"}
        # The description was checked by openapi-spec-validator in test_contracts: not again per test.
        # openapi-core reads application/json only; Mailchimp's errors are application/problem+json.
        problems = {"application/problem+json": json.loads}
        config = Config(spec_validator_cls=None, extra_media_type_deserializers=problems)
        self.api = OpenAPI.from_dict(document, config=config)
        self.finder = APICallPathFinder(self.api.spec)
        self.log = LOG.setdefault(service, Counter())

    def paths(self) -> list[str]:
        """The description's path templates, below the mount."""
        return list(self.api.spec["paths"].keys())

    def operation(self, request: Request) -> tuple[str | None, dict[str, str]]:
        """The operationId the description gives the request's method and path, with the path's
        parameters as sent; (None, {}) when the description has no such operation."""
        try:
            found = self.finder.find(request.method.lower(), ORIGIN + request.path)
        except Exception:  # openapi-core's PathNotFound, OperationNotFound, ServerNotFound
            return None, {}
        return str(found.operation["operationId"]), dict(found.path_result.variables)

    def check(self, request: Request) -> list[str]:
        """Every way the request breaks the description, one readable line each (none: it conforms)."""
        result = self.api.unmarshal_request(_Request(request))
        return self._report(f"{request.method} {request.path}", result.errors, "requests", "violations")

    def check_answer(self, request: Request, response: Response) -> list[str]:
        """Every way a fake's answer breaks the description's response schema (a bug in the fake)."""
        result = self.api.unmarshal_response(_Request(request), WerkzeugOpenAPIResponse(response))
        where = f"the fake's answer to {request.method} {request.path}"
        # An error status the description does not document (most list only their successes) has no
        # schema to hold the answer to; every documented one does.
        errors = [e for e in result.errors if not isinstance(e, ResponseNotFound) or response.status_code < 300]
        return self._report(where, errors, "answers", "bad answers")

    def _report(self, where: str, errors: Iterable[BaseException], counted: str, broken: str) -> list[str]:
        problems = [f"{self.service}: {where}: {line}" for error in errors for line in _lines(error)]
        self.log[counted] += 1
        self.log[broken] += len(problems)
        PROBLEMS.extend(problems)
        return problems


def excuse(service: str, line: str) -> None:
    """Count a violation a test made on purpose (``violations_expected``) apart from the real ones."""
    counter = LOG[service]
    counter["bad answers" if "the fake's answer to" in line else "violations"] -= 1
    counter["expected violations"] += 1
    PROBLEMS.remove(line)


@functools.cache
def contract(service: str) -> Contract:
    return Contract(service)
