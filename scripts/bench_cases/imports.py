"""Issue 3: a 100,000-row CSV imported into a list and into a data extension (upload, start, poll)."""

from __future__ import annotations

import re
import time

import requests

PARTNER = "http://exacttarget.com/wsdl/partnerAPI"
ROWS = 100_000


def _csv(header: str, line) -> bytes:
    return (header + "\n" + "".join(line(i) for i in range(ROWS))).encode()


def _ok(response: requests.Response) -> str:
    assert response.status_code == 200 and "<OverallStatus>OK</OverallStatus>" in response.text, response.text[:2000]
    return response.text


def _import(bench, session, key: str, destination: str, file_name: str, data: bytes) -> dict[str, float]:
    put = session.put(f"{bench.base_url}/_emulator/ftp/Import/{file_name}", data=data, timeout=60)
    put.raise_for_status()
    _ok(bench.soap("Create", f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="ImportDefinition">'
                             f"<CustomerKey>{key}</CustomerKey><Name>{key}</Name>{destination}"
                             "<FieldMappingType>InferFromColumnHeadings</FieldMappingType>"
                             f"<FileSpec>{file_name}</FileSpec><FileType>CSV</FileType>"
                             "<UpdateType>AddAndUpdate</UpdateType></Objects></CreateRequest>", session))
    start = time.perf_counter()
    text = _ok(bench.soap("Perform", f'<PerformRequestMsg xmlns="{PARTNER}"><Action>start</Action><Definitions>'
                                     f'<Definition xsi:type="ImportDefinition"><CustomerKey>{key}</CustomerKey>'
                                     "</Definition></Definitions></PerformRequestMsg>", session))
    task = re.search(r"<ID>(\d+)</ID>", text).group(1)
    poll = (f'<RetrieveRequestMsg xmlns="{PARTNER}"><RetrieveRequest><ObjectType>ImportResultsSummary</ObjectType>'
            "<Properties>ImportStatus</Properties><Properties>NumberSuccessful</Properties>"
            '<Filter xsi:type="SimpleFilterPart"><Property>TaskResultID</Property>'
            f"<SimpleOperator>equals</SimpleOperator><Value>{task}</Value></Filter>"
            "</RetrieveRequest></RetrieveRequestMsg>")
    while True:
        answer = bench.soap("Retrieve", poll, session).text
        status = re.search(r"<ImportStatus>(\w+)</ImportStatus>", answer)
        if status and status.group(1) in ("Completed", "Error"):
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    assert status.group(1) == "Completed", answer
    successful = int(re.search(r"<NumberSuccessful>(\d+)</NumberSuccessful>", answer).group(1))
    assert successful == ROWS, answer
    return {"seconds": seconds, "rows_per_s": ROWS / seconds}


def run(bench) -> dict[str, float]:
    session = requests.Session()
    text = _ok(bench.soap("Create", f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="List">'
                                    "<CustomerKey>bench-import</CustomerKey><ListName>Bench import</ListName>"
                                    "</Objects></CreateRequest>", session))
    list_id = re.search(r"<NewID>(\d+)</NewID>", text).group(1)
    list_csv = _csv("Email Address,Subscriber Key,First Name,City",
                    lambda i: f"user{i}@example.com,sub-{i},Name {i},City {i % 97}\n")
    to_list = _import(bench, session, "bench-list", f'<DestinationObject xsi:type="List"><ID>{list_id}</ID>'
                      "</DestinationObject>", "bench-list.csv", list_csv)
    _ok(bench.soap("Create", f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="DataExtension">'
                             "<CustomerKey>bench-de</CustomerKey><Name>Bench DE</Name><Fields>"
                             "<Field><Name>Key</Name><FieldType>Text</FieldType><MaxLength>50</MaxLength>"
                             "<IsPrimaryKey>true</IsPrimaryKey><IsRequired>true</IsRequired></Field>"
                             "<Field><Name>Email</Name><FieldType>EmailAddress</FieldType></Field>"
                             "<Field><Name>Age</Name><FieldType>Number</FieldType></Field>"
                             "<Field><Name>Joined</Name><FieldType>Date</FieldType></Field>"
                             "</Fields></Objects></CreateRequest>", session))
    de_csv = _csv("Key,Email,Age,Joined",
                  lambda i: f"k{i},user{i}@example.com,{i % 90},2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}\n")
    to_de = _import(bench, session, "bench-de-import", '<DestinationObject xsi:type="DataExtension">'
                    "<CustomerKey>bench-de</CustomerKey></DestinationObject>", "bench-de.csv", de_csv)
    return {
        "import_list_100k_s": to_list["seconds"],
        "import_list_rows_per_s": to_list["rows_per_s"],
        "import_de_100k_s": to_de["seconds"],
        "import_de_rows_per_s": to_de["rows_per_s"],
        "import_server_peak_rss_mb": bench.server_rss_mb(),
    }
