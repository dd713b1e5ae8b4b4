# README.md ("In your tests") and docs/fixture.md show this file; tests/fixture/test_example_project.py checks.
import requests

CREATE_LIST = """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <s:Header><fueloauth xmlns="http://exacttarget.com">{token}</fueloauth></s:Header>
 <s:Body><CreateRequest xmlns="http://exacttarget.com/wsdl/partnerAPI">
  <Objects xsi:type="List"><CustomerKey>weekly</CustomerKey><ListName>Weekly</ListName></Objects>
 </CreateRequest></s:Body></s:Envelope>"""


def create_list(sfmc, token):
    return requests.post(sfmc.soap_url, data=CREATE_LIST.format(token=token), timeout=10,
                         headers={"Content-Type": "text/xml", "SOAPAction": "Create"})


def test_create_list(sfmc):
    answer = create_list(sfmc, sfmc.token())
    assert "<StatusCode>OK</StatusCode>" in answer.text


def test_every_test_starts_fresh(sfmc):
    answer = create_list(sfmc, sfmc.token())  # same CustomerKey again: no duplicate, state was reset
    assert "<StatusCode>OK</StatusCode>" in answer.text


def test_tokens_expire_on_the_emulator_clock(sfmc):
    token = sfmc.token()
    sfmc.clock.advance(20 * 60 + 1)  # also: sfmc.clock.freeze(), sfmc.clock.set(datetime)
    answer = create_list(sfmc, token)
    assert answer.status_code == 500 and "Token Expired" in answer.text


def test_what_would_have_been_sent(sfmc):
    assert sfmc.outbox(to="nobody@example.com") == []
