"""FilterDefinition over a list and over a data extension, and filter_members."""

from __future__ import annotations

from emulator.domain import filters
from tests.audiences.test_data_extensions import DE_XML, row_xml
from tests.audiences.test_subscribers import make_list, subscriber_xml
from tests.soap_helpers import simple_filter, texts


def fd_xml(key: str, source: str, data_filter: str) -> str:
    return (f'<Objects xsi:type="FilterDefinition"><CustomerKey>{key}</CustomerKey><Name>{key}</Name>'
            f"{source}{data_filter.replace('<Filter ', '<DataFilter ').replace('</Filter>', '</DataFilter>')}"
            "</Objects>")


def test_filter_over_data_extension(soap, mc):
    soap.create(DE_XML)
    soap.create(row_xml(Key="a", Email="a@example.com", Age="20") + row_xml(Key="b", Email="b@example.com", Age="50"))
    source = '<DataSource xsi:type="DataExtension"><CustomerKey>people</CustomerKey></DataSource>'
    resp = soap.create(fd_xml("older", source, simple_filter("Age", "greaterThan", "30")))
    assert texts(resp, "p:Results/p:StatusCode") == ["OK"], texts(resp, "p:Results/p:StatusMessage")
    got = soap.retrieve("FilterDefinition", ["Name", "DataSource.CustomerKey"],
                        simple_filter("CustomerKey", "equals", "older"))
    assert texts(got, "p:Results/p:DataSource/p:CustomerKey") == ["people"]
    stored = filters.find_filter_definition(mc.emu, mc.parent_mid, {"CustomerKey": "older"})
    assert [r["Key"] for r in filters.filter_members(mc.emu, mc.parent_mid, stored)] == ["b"]
    errors = [
        soap.create(fd_xml("x1", source.replace("people", "zzz"), simple_filter("Age", "equals", "1"))),
        soap.create(fd_xml("older", source, simple_filter("Age", "equals", "1"))),
        soap.create(fd_xml("x2", source, simple_filter("Nope", "equals", "1"))),
        soap.create(fd_xml("x3", source, "")),
    ]
    assert [texts(e, "p:Results/p:ErrorCode")[0] for e in errors] == ["373002", "373004", "373011", "373008"]


def test_filter_over_list_members(soap, mc):
    news = make_list(soap, "News")
    soap.create(subscriber_xml("a@example.com", "a", [news], attrs={"City": "Paris"})
                + subscriber_xml("b@example.com", "b", [news], attrs={"City": "Lyon"})
                + subscriber_xml("c@example.com", "c", [], attrs={"City": "Paris"}))
    source = f'<DataSource xsi:type="List"><ID>{news}</ID></DataSource>'
    resp = soap.create(fd_xml("paris", source, simple_filter("City", "equals", "paris")))
    assert texts(resp, "p:Results/p:StatusCode") == ["OK"]
    stored = filters.find_filter_definition(mc.emu, mc.parent_mid, {"CustomerKey": "paris"})
    assert [m["SubscriberKey"] for m in filters.filter_members(mc.emu, mc.parent_mid, stored)] == ["a"]
    # No DataSource: profile attributes over every subscriber of the BU (All Subscribers).
    soap.create(fd_xml("everyone", "", simple_filter("City", "equals", "Paris")))
    everyone = filters.find_filter_definition(mc.emu, mc.parent_mid, {"CustomerKey": "everyone"})
    assert sorted(m["SubscriberKey"] for m in filters.filter_members(mc.emu, mc.parent_mid, everyone)) == ["a", "c"]


def test_filter_matches_caseless_columns_row_pks_and_list_override(soap, mc):
    soap.create(DE_XML)
    soap.create(row_xml(Key="a", Email="a@example.com", Age="20") + row_xml(Key="b", Email="b@example.com", Age="50"))
    source = '<DataSource xsi:type="DataExtension"><CustomerKey>people</CustomerKey></DataSource>'
    assert texts(soap.create(fd_xml("old", source, simple_filter("age", "greaterThan", "30"))),
                 "p:Results/p:StatusCode") == ["OK"]
    stored = filters.find_filter_definition(mc.emu, mc.parent_mid, {"CustomerKey": "old"})
    matches = list(filters.filter_matches(mc.emu, mc.parent_mid, stored))
    assert [row["Key"] for _, row in matches] == ["b"]
    pks = [pk for pk, _ in mc.emu.audience.iter_rows(mc.parent_mid, "people")]
    assert [pk for pk, _ in matches] == [pks[1]]
    news = make_list(soap, "News")
    soap.create(subscriber_xml("p@example.com", "p", [news], attrs={"City": "Paris"})
                + subscriber_xml("q@example.com", "q", [], attrs={"City": "Paris"}))
    soap.create(fd_xml("paris", "", simple_filter("CITY", "equals", "paris")))
    paris = filters.find_filter_definition(mc.emu, mc.parent_mid, {"CustomerKey": "paris"})
    assert [m["SubscriberKey"] for _, m in filters.filter_matches(mc.emu, mc.parent_mid, paris, list_id=news)] == ["p"]
    assert sorted(m["SubscriberKey"] for m in filters.filter_members(mc.emu, mc.parent_mid, paris)) == ["p", "q"]
