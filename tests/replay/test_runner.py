"""`sfmc-emulator replay`: the seed scenarios pass, mismatches give a diff and exit 1, captures flow into
later requests, requirements skip with a reason, a progress bar on request, --target for a running server."""

from __future__ import annotations

import io
import re
from pathlib import Path

import yaml

from emulator.cli import main
from emulator.replay.runner import run_files

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "fixtures" / "scenarios"

CREATE_LIST = """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <s:Header><wsse:Security xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">
 <wsse:UsernameToken><wsse:Username>{{username}}</wsse:Username><wsse:Password>{{password}}</wsse:Password>
 </wsse:UsernameToken></wsse:Security></s:Header><s:Body><CreateRequest xmlns="http://exacttarget.com/wsdl/partnerAPI">
 <Objects xsi:type="List"><CustomerKey>K</CustomerKey><ListName>N</ListName></Objects></CreateRequest></s:Body></s:Envelope>"""
RETRIEVE_LIST = CREATE_LIST.replace(
    '<CreateRequest xmlns="http://exacttarget.com/wsdl/partnerAPI">\n <Objects xsi:type="List"><CustomerKey>K'
    "</CustomerKey><ListName>N</ListName></Objects></CreateRequest>",
    '<RetrieveRequestMsg xmlns="http://exacttarget.com/wsdl/partnerAPI"><RetrieveRequest><ObjectType>List</ObjectType>'
    "<Properties>ListName</Properties><Filter xsi:type=\"SimpleFilterPart\"><Property>ID</Property>"
    "<SimpleOperator>equals</SimpleOperator><Value>{{list_id}}</Value></Filter></RetrieveRequest></RetrieveRequestMsg>")


def write(tmp_path: Path, name: str, scenario: dict) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path


def scenario(list_name_expected: str = "N", **extra) -> dict:
    return {"name": "capture and reuse", **extra, "exchanges": [
        {"request": {"method": "POST", "path": "/Service.asmx", "headers": {"SOAPAction": "Create"},
                     "body": CREATE_LIST},
         "expect": {"status": 200}, "capture": {"list_id": {"xpath": "//p:NewID"}}},
        {"request": {"method": "POST", "path": "/Service.asmx", "headers": {"SOAPAction": "Retrieve"},
                     "body": RETRIEVE_LIST},
         "expect": {"status": 200, "compare": "subset", "body":
                    '<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>'
                    '<RetrieveResponseMsg xmlns="http://exacttarget.com/wsdl/partnerAPI"><OverallStatus>OK</OverallStatus>'
                    f"<Results><ListName>{list_name_expected}</ListName></Results></RetrieveResponseMsg></Body></Envelope>"}},
    ]}


def run(*paths: Path, **kwargs) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_files([str(p) for p in paths], out=out, err=err, **kwargs)
    return code, out.getvalue(), err.getvalue()


def test_seed_scenarios_pass_and_say_what_they_skip():
    code, out, _ = run(SCENARIOS)
    assert code == 0, out
    assert out.count("PASS ") == 4 and "FAIL" not in out
    # Every feature the seed pages need is emulated now: no step may be skipped.
    assert ": skipped" not in out and "requires '" not in out, out
    assert re.findall(r"\((\d+) passed\)", out) == ["7", "3", "7", "7"], out
    assert out.strip().endswith("4 scenario(s): 4 passed, 0 failed, 0 skipped")


def test_captures_feed_later_requests(tmp_path):
    code, out, _ = run(write(tmp_path, "ok.yaml", scenario()))
    assert code == 0 and "PASS" in out


def test_mismatch_exits_non_zero_with_a_structural_diff_and_progress(tmp_path):
    code, out, err = run(write(tmp_path, "bad.yaml", scenario("Other")), progress=True)
    assert code == 1
    assert "FAIL" in out and 'step 2 (POST /Service.asmx): mismatch' in out
    assert "/Envelope/Body/RetrieveResponseMsg/Results/ListName: expected 'Other', got 'N'" in out
    assert "[##############################] 2/2 exchanges, 1 failed" in err
    assert run(write(tmp_path, "bad.yaml", scenario("Other")))[2] == ""  # no bar when stderr is no tty


def test_requirements_and_unknown_variables(tmp_path):
    skipped = write(tmp_path, "skip.yaml", scenario(requires=["no_such_feature"]))
    code, out, _ = run(skipped)
    assert code == 0 and "SKIP" in out and "unknown feature 'no_such_feature'" in out
    broken = scenario()
    broken["exchanges"][1]["request"]["body"] = RETRIEVE_LIST.replace("{{list_id}}", "{{never_captured}}")
    code, out, _ = run(write(tmp_path, "broken.yaml", broken))
    assert code == 1 and "unknown variable {{never_captured}}" in out


def test_bad_scenario_file_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("exchanges: nope")
    assert run(bad)[0] == 2


def test_cli_against_a_running_target(mc, tmp_path, capsys):
    path = write(tmp_path, "remote.yaml", scenario())
    assert main(["replay", str(path), "--target", mc.base_url]) == 0
    assert "1 passed" in capsys.readouterr().out
    assert mc.emu.journal.count() >= 2  # it really went to that server


def test_a_target_gets_its_real_time_clock_back(mc):
    from emulator.replay.runner import Target

    target = Target(mc.base_url, {"client_id": mc.client_id, "client_secret": mc.client_secret}, admin=True)

    class _Scenario:
        clock = "2011-07-12T15:13:12Z"

    target.prepare(_Scenario(), None)
    assert mc.clock.frozen and mc.clock.now().year == 2011
    target.close()
    assert not mc.clock.frozen and mc.clock.now().year >= 2026


def test_the_id_seed_has_one_name_on_every_command() -> None:
    """`--id-seed` on serve and replay alike (docs/development.md, names); replay's old `--seed` still works."""
    from emulator.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["serve", "--id-seed", "7"]).id_seed == 7
    assert parser.parse_args(["replay", "x.yaml", "--id-seed", "7"]).id_seed == 7
    assert parser.parse_args(["replay", "x.yaml", "--seed", "7"]).id_seed == 7
