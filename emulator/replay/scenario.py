"""The scenario file format (YAML): ordered HTTP exchanges with expectations and captures.

```yaml
name: Create and start an email send definition
requires: [sends]            # optional: features the target must have, else the scenario is skipped
clock: 2011-07-12T15:13:12Z  # optional: freeze the emulator clock here first (reproducible dates)
seed: 7                      # optional: id seed for a fresh emulator (reproducible GUIDs and ids)
compare: exact               # exact (default) | subset (expected elements/keys must be there; extra ok)
namespaces: {x: urn:example} # optional extra XPath prefixes (p, soap, wsa, wsse, wsu, xsi, fault built in)
vars: {list_name: Sample}    # optional starting variables
defaults:
  headers: {Content-Type: text/xml; charset=utf-8}
exchanges:
  - name: create the list
    requires: [imports]      # optional, per exchange
    request:
      method: POST
      path: /Service.asmx
      headers: {SOAPAction: Create}
      body: |
        <soapenv:Envelope ...>{{username}} ... {{list_name}}</soapenv:Envelope>
    expect:
      status: 200
      headers: {Content-Type: "text/xml{{any}}"}
      compare: subset        # overrides the scenario's mode for this exchange
      body: |
        <soap:Envelope ...><NewID>{{int}}</NewID>...</soap:Envelope>
    capture:
      list_id: {xpath: "//p:Results/p:NewID"}   # or {json: "definitionId"} / {header: Retry-After}
    poll: {timeout: 10, interval: 0.2}          # optional: repeat until the answer matches
```
A JSON body may also be written as a YAML mapping. `{{...}}` placeholders are described in template.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

COMPARE_MODES = ("exact", "subset")


class ScenarioError(ValueError):
    pass


@dataclass
class Exchange:
    index: int
    request: dict[str, Any]
    expect: dict[str, Any] | None = None
    capture: dict[str, Any] = field(default_factory=dict)
    requires: list[str] = field(default_factory=list)
    poll: dict[str, Any] | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        what = f"{self.request.get('method', 'GET').upper()} {self.request.get('path', '/')}"
        return f"step {self.index + 1}" + (f" \"{self.name}\"" if self.name else "") + f" ({what})"


@dataclass
class Scenario:
    name: str
    exchanges: list[Exchange]
    path: Path | None = None
    requires: list[str] = field(default_factory=list)
    clock: str | None = None
    seed: int | None = None
    compare: str = "exact"
    namespaces: dict[str, str] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)


def _list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ScenarioError(f"{where}: `requires` must be a feature name or a list of them")


def parse_scenario(data: Any, path: Path | None = None) -> Scenario:
    where = str(path) if path else "scenario"
    if not isinstance(data, dict) or not isinstance(data.get("exchanges"), list):
        raise ScenarioError(f"{where}: a scenario is a mapping with an `exchanges` list")
    compare = data.get("compare", "exact")
    if compare not in COMPARE_MODES:
        raise ScenarioError(f"{where}: compare must be one of {COMPARE_MODES}")
    exchanges = []
    for index, raw in enumerate(data["exchanges"]):
        if not isinstance(raw, dict) or not isinstance(raw.get("request"), dict):
            raise ScenarioError(f"{where}: exchange {index + 1} needs a `request` mapping")
        request = dict(raw["request"])
        if "path" not in request:
            raise ScenarioError(f"{where}: exchange {index + 1} request needs a `path`")
        expect = raw.get("expect")
        if expect is not None and not isinstance(expect, dict):
            raise ScenarioError(f"{where}: exchange {index + 1} `expect` must be a mapping")
        if expect and expect.get("compare", compare) not in COMPARE_MODES:
            raise ScenarioError(f"{where}: exchange {index + 1}: compare must be one of {COMPARE_MODES}")
        exchanges.append(Exchange(index=index, request=request, expect=expect, capture=raw.get("capture") or {},
                                  requires=_list(raw.get("requires"), f"{where}: exchange {index + 1}"),
                                  poll=raw.get("poll"), name=raw.get("name")))
    clock = data.get("clock")
    return Scenario(
        name=str(data.get("name") or (path.stem if path else "scenario")), exchanges=exchanges, path=path,
        requires=_list(data.get("requires"), where),
        clock=clock.isoformat() if hasattr(clock, "isoformat") else clock,
        seed=data.get("seed"), compare=compare, namespaces=data.get("namespaces") or {},
        variables=data.get("vars") or {}, defaults=data.get("defaults") or {})


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: cannot read scenario: {exc}") from exc
    return parse_scenario(data, path)
