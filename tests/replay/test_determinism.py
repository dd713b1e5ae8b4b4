"""Deterministic mode: the same scenario on two fresh emulators with the same seed and clock answers with
byte-identical bodies; another seed changes them."""

from __future__ import annotations

from pathlib import Path

from emulator.replay.runner import InProcessTarget, ScenarioRunner
from emulator.replay.scenario import load_scenario

SCENARIO = Path(__file__).parent / "scenarios" / "deterministic.yaml"


def answers(seed: int) -> list[bytes]:
    target = InProcessTarget(seed)  # a fresh emulator each time (emulator.testing.start, as the fixture)
    try:
        result = ScenarioRunner(target, seed).run(load_scenario(SCENARIO))
    finally:
        target.close()
    assert [r.outcome for r in result.results] == ["passed"] * 5, [r.messages for r in result.results]
    return [r.raw for r in result.results]


def test_same_seed_gives_byte_identical_answers():
    first, second = answers(42), answers(42)
    assert all(first) and first == second
    assert b"2024-03-01T12:00:00Z" in first[1]  # the scenario's frozen clock
    assert b"sfmc-emulator.test" in first[0]  # no ephemeral port in the answers


def test_another_seed_gives_other_ids():
    assert answers(42)[1] != answers(43)[1]



def test_one_emulator_switches_seeds_between_scenarios():
    target = InProcessTarget()
    try:
        runner = ScenarioRunner(target)
        raws = []
        for seed in (42, 43, 42):
            scenario = load_scenario(SCENARIO)
            scenario.seed = seed
            raws.append([r.raw for r in runner.run(scenario).results])
    finally:
        target.close()
    assert raws[0] == raws[2] != raws[1]
    assert raws[0] == answers(42)  # and the same as on a fresh emulator
