# docs/fixture.md shows this file (tests/fixture/test_example_project.py checks): the emulator without pytest.
import unittest

import requests

import emulator


class SignupTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.mc = emulator.start()          # or: with emulator.running() as mc: ...

    @classmethod
    def tearDownClass(cls):
        cls.mc.stop()

    def setUp(self):
        self.mc.reset()                    # fresh default tenant, clock and ids

    def test_token_and_endpoints(self):
        token = self.mc.token(account_id=self.mc.child_mid)
        answer = requests.get(f"{self.mc.base_url}/platform/v1/endpoints/soap",
                              headers={"Authorization": f"Bearer {token}"}, timeout=10)
        self.assertEqual(answer.json()["url"], self.mc.soap_url)


if __name__ == "__main__":
    unittest.main()
