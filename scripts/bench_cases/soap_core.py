"""Issue 2: SOAP Create and Retrieve rates against /_emulator/health on the same server, from one sequential
Python client (kept so earlier runs compare; the client's cost is in these: load.py's wrk figures are the
server-side ones)."""

from __future__ import annotations

import requests

PARTNER = "http://exacttarget.com/wsdl/partnerAPI"


def run(bench) -> dict[str, float]:
    session = requests.Session()
    health = bench.rate(lambda i: session.get(f"{bench.base_url}/_emulator/health", timeout=10))

    def create(i: int) -> None:
        body = (f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="List">'
                f"<CustomerKey>bench-{i}</CustomerKey><ListName>Bench {i}</ListName></Objects></CreateRequest>")
        response = bench.soap("Create", body, session)
        assert response.status_code == 200 and b"<StatusCode>OK</StatusCode>" in response.content, response.text

    create_rate = bench.rate(create)

    def retrieve(i: int) -> None:
        body = (f'<RetrieveRequestMsg xmlns="{PARTNER}"><RetrieveRequest><ObjectType>List</ObjectType>'
                "<Properties>ID</Properties><Properties>ListName</Properties>"
                '<Filter xsi:type="SimpleFilterPart"><Property>CustomerKey</Property>'
                f"<SimpleOperator>equals</SimpleOperator><Value>bench-{abs(i) % 50}</Value></Filter>"
                "</RetrieveRequest></RetrieveRequestMsg>")
        response = bench.soap("Retrieve", body, session)
        assert response.status_code == 200, response.text

    retrieve_rate = bench.rate(retrieve)
    return {
        "health_rps": health,
        "soap_create_rps": create_rate,
        "soap_retrieve_rps": retrieve_rate,
        "soap_create_vs_health": create_rate / health,
        "soap_retrieve_vs_health": retrieve_rate / health,
    }
