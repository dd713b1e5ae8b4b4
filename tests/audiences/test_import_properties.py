"""Property test: generated CSV files never crash an import and always reconcile."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.domain import imports

from .test_data_extensions import DE_XML
from .test_subscribers import make_list

cell = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=12),
    st.sampled_from(["a@example.com", "b@example.com", "Ünï@exämple.com", "x@y.io", "", "42", "-7", "1.5",
                     "2024-01-02", 'quo"te', "comma,inside", "new\nline", "\r\n", "  "]),
)
row = st.lists(cell, min_size=1, max_size=5)


def render(rows: list[list[str]], header: list[str], bom: bool, crlf: bool, blank_every: int,
           mangled: list[str]) -> bytes:
    out = io.StringIO()
    # csv's minimal quoting leaves a lone "\r" unquoted when lines end in "\n" (a real line break then):
    # quote everything in that case so each generated row stays one record.
    lone_cr = any("\r" in c for r in rows for c in r)
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n",
                        quoting=csv.QUOTE_ALL if lone_cr else csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for i, r in enumerate(rows):
        writer.writerow(r)
        if blank_every and i % blank_every == 0:
            out.write("\n")
    for line in mangled:
        out.write(line + "\n")
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, max_size=30), bom=st.booleans(), crlf=st.booleans(),
       blank_every=st.integers(0, 4), mangled=st.lists(st.sampled_from(['"unclosed,quote', 'a,"b"c",d', ",,,,,,",
                                                                          "\x01\x02,\ufeff"]), max_size=2),
       to_de=st.booleans(), update_type=st.sampled_from(["AddAndUpdate", "AddAndDoNotUpdate", "UpdateButDoNotAdd",
                                                         "Overwrite"]))
def test_generated_files_reconcile(soap, mc, rows, bom, crlf, blank_every, mangled, to_de, update_type):
    emu, mid = mc.emu, mc.parent_mid
    if to_de:
        if emu.objects.find_one(mid, "DataExtension", "CustomerKey", "people") is None:
            soap.create(DE_XML)
        header = ["Key", "Email", "Age", "Score"]
        dest = {"__type__": "DataExtension", "CustomerKey": "people"}
    else:
        found = emu.objects.find_one(mid, "List", "CustomerKey", "Gen")
        list_id = found.data["ID"] if found else make_list(soap, "Gen")
        header = ["Email Address", "Name", "Age"]
        dest = {"__type__": "List", "ID": list_id}
    data = render(rows, header, bom, crlf, blank_every, mangled)
    emu.import_folder.write("gen.csv", data)
    definition = {"CustomerKey": "gen", "DestinationObject": dest, "FieldMappingType": "InferFromColumnHeadings",
                  "FileSpec": "gen.csv", "FileType": "CSV", "UpdateType": update_type}
    job = mc.wait_for_job(imports.start_import(emu, mid, imports.check_definition(emu, mid, definition)))
    detail = job["detail"]
    assert job["status"] == "Completed", detail
    assert detail["NumberSuccessful"] + detail["NumberErrors"] + detail["NumberDuplicated"] == detail["TotalRows"]
    if not mangled:
        expected = sum(1 for r in rows if any(c.strip() for c in r))
        assert detail["TotalRows"] == expected
    assert len(detail["rejected"]) == detail["NumberErrors"]
