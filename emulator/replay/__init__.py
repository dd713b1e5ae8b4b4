"""Replay and record: scenario files of ordered HTTP exchanges (scenario.py), a runner with a structural
diff (runner.py, diff.py), and a recording proxy (recorder.py) that writes scenarios (build.py)."""
