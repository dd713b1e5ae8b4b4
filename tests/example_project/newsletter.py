"""The application code under test: signs people up to a Marketing Cloud list over the SOAP API."""

from __future__ import annotations

from xml.etree import ElementTree

import requests

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER = "http://exacttarget.com/wsdl/partnerAPI"


class MarketingCloudError(RuntimeError):
    pass


class Newsletter:
    def __init__(self, auth_base_url: str, client_id: str, client_secret: str) -> None:
        self.auth_base_url = auth_base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self._token: str | None = None
        self._soap_url: str | None = None

    def _login(self) -> None:
        answer = requests.post(f"{self.auth_base_url}/v2/token", timeout=10, json={
            "grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret})
        answer.raise_for_status()
        body = answer.json()
        self._token, self._soap_url = body["access_token"], body["soap_instance_url"] + "Service.asmx"

    def _call(self, action: str, body: str) -> ElementTree.Element:
        if self._token is None:
            self._login()
        envelope = (f'<s:Envelope xmlns:s="{SOAP}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                    f'<s:Header><fueloauth xmlns="http://exacttarget.com">{self._token}</fueloauth></s:Header>'
                    f"<s:Body>{body}</s:Body></s:Envelope>")
        answer = requests.post(self._soap_url, data=envelope.encode(), timeout=30,
                               headers={"Content-Type": "text/xml", "SOAPAction": action})
        root = ElementTree.fromstring(answer.content)
        fault = root.find(f".//{{{SOAP}}}Fault")
        if fault is not None:
            raise MarketingCloudError(fault.findtext("faultstring"))
        return root

    def create_list(self, name: str) -> int:
        root = self._call("Create", f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="List">'
                          f"<CustomerKey>{name}</CustomerKey><ListName>{name}</ListName></Objects></CreateRequest>")
        result = root.find(f".//{{{PARTNER}}}Results")
        if result.findtext(f"{{{PARTNER}}}StatusCode") != "OK":
            raise MarketingCloudError(result.findtext(f"{{{PARTNER}}}StatusMessage"))
        return int(result.findtext(f"{{{PARTNER}}}NewID"))

    def list_names(self) -> list[str]:
        root = self._call("Retrieve", f'<RetrieveRequestMsg xmlns="{PARTNER}"><RetrieveRequest>'
                          "<ObjectType>List</ObjectType><Properties>ListName</Properties>"
                          "</RetrieveRequest></RetrieveRequestMsg>")
        return sorted(el.text for el in root.iter(f"{{{PARTNER}}}ListName"))
