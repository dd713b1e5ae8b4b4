"""_CustomObjectKey: every data extension row's hidden integer key over raw SOAP."""

from __future__ import annotations

from tests.audiences.test_data_extensions import DE_XML, row_xml
from tests.soap_helpers import NS, PARTNER, simple_filter, texts


def _keys(resp) -> dict[str, str]:
    """{Key column: _CustomObjectKey} of a DataExtensionObject retrieve."""
    out = {}
    for result in resp.findall("p:Results", NS):
        props = {p.findtext("p:Name", namespaces=NS): p.findtext("p:Value", namespaces=NS)
                 for p in result.findall("p:Properties/p:Property", NS)}
        out[props["Key"]] = props["_CustomObjectKey"]
    return out


def test_row_key_assigned_on_insert_kept_on_update_and_filterable(soap):
    soap.create(DE_XML)
    soap.create(row_xml(Key="a", Email="a@example.com") + row_xml(Key="b", Email="b@example.com"))
    first = _keys(soap.retrieve("DataExtensionObject[people]", ["_CustomObjectKey", "Key"]))
    assert set(first) == {"a", "b"}
    assert all(v.isdigit() for v in first.values()) and len(set(first.values())) == 2
    upd = soap.call("Update", f'<UpdateRequest xmlns="{PARTNER}">{row_xml(Key="a", Email="n@example.com")}</UpdateRequest>')
    assert texts(upd, "p:Results/p:StatusCode") == ["OK"]
    soap.create(row_xml(Key="c", Email="c@example.com"))
    second = _keys(soap.retrieve("DataExtensionObject[people]", ["_CustomObjectKey", "Key"]))
    assert second["a"] == first["a"] and second["b"] == first["b"]
    assert int(second["c"]) > int(first["b"])
    one = soap.retrieve("DataExtensionObject[people]", ["Key", "_CustomObjectKey"],
                        simple_filter("_CustomObjectKey", "equals", first["b"]))
    assert _keys(one) == {"b": first["b"]}
    above = soap.retrieve("DataExtensionObject[people]", ["Key", "_CustomObjectKey"],
                          simple_filter("_CustomObjectKey", "greaterThan", first["b"]))
    assert list(_keys(above)) == ["c"]


def test_row_key_is_not_writable(soap):
    soap.create(DE_XML)
    resp = soap.create(row_xml(Key="a", Email="a@example.com", _CustomObjectKey="7"))
    assert texts(resp, "p:Results/p:StatusCode") == ["Error"]
    assert texts(resp, "p:Results/p:ValueErrors/p:ValueError/p:Name") == ["_CustomObjectKey"]
    assert "cannot be written" in texts(resp, "p:Results/p:ValueErrors/p:ValueError/p:ErrorMessage")[0]
    assert soap.retrieve("DataExtensionObject[people]", ["Key"]).findall("p:Results", NS) == []


def test_row_key_not_a_column_of_the_default_answer(soap):
    # Without Properties naming it, the answer lists the DE's own columns (the key is hidden).
    soap.create(DE_XML)
    soap.create(row_xml(Key="a", Email="a@example.com"))
    resp = soap.retrieve("DataExtensionObject[people]", ["Key", "Email"])
    assert "_CustomObjectKey" not in texts(resp, "p:Results/p:Properties/p:Property/p:Name")
