"""Subscribers and list membership over raw SOAP."""

from __future__ import annotations

from tests.soap_helpers import NS, PARTNER, simple_filter, texts


def make_list(soap, name: str) -> int:
    resp = soap.create(f'<Objects xsi:type="List"><CustomerKey>{name}</CustomerKey><ListName>{name}</ListName>'
                       "</Objects>")
    return int(texts(resp, "p:Results/p:NewID")[0])


def subscriber_xml(email: str, key: str | None = None, lists: list[int] = (), status: str | None = None,
                   attrs: dict[str, str] | None = None) -> str:
    parts = [f"<EmailAddress>{email}</EmailAddress>"]
    for name, value in (attrs or {}).items():
        parts.append(f"<Attributes><Name>{name}</Name><Value>{value}</Value></Attributes>")
    if key:
        parts.append(f"<SubscriberKey>{key}</SubscriberKey>")
    if status:
        parts.append(f"<Status>{status}</Status>")
    for list_id in lists:
        parts.append(f"<Lists><ID>{list_id}</ID></Lists>")
    return f'<Objects xsi:type="Subscriber">{"".join(parts)}</Objects>'


def test_create_subscriber_integer_id_and_duplicate_12014(soap):
    news = make_list(soap, "News")
    resp = soap.create(subscriber_xml("a@example.com", "key-a", [news], attrs={"First Name": "Ann"}))
    assert texts(resp, "p:Results/p:StatusMessage") == ["Created Subscriber."]
    new_id = int(texts(resp, "p:Results/p:NewID")[0])
    assert new_id > 0
    again = soap.create(subscriber_xml("a@example.com", "key-a", [news]))
    assert texts(again, "p:OverallStatus") == ["Error"]
    assert texts(again, "p:Results/p:ErrorCode") == ["12014"]
    got = soap.retrieve("Subscriber", ["ID", "SubscriberKey", "EmailAddress", "Status", "Attributes"],
                        simple_filter("SubscriberKey", "equals", "key-a"))
    assert texts(got, "p:Results/p:ID") == [str(new_id)]
    assert texts(got, "p:Results/p:Attributes/p:Value") == ["Ann"]


def test_subscriber_key_defaults_to_email_and_bad_email(soap):
    resp = soap.create(subscriber_xml("b@example.com") + subscriber_xml("not-an-email"))
    assert texts(resp, "p:Results/p:StatusCode") == ["OK", "Error"]
    assert texts(resp, "p:Results/p:ErrorCode") == ["12000"]
    got = soap.retrieve("Subscriber", ["SubscriberKey"], simple_filter("EmailAddress", "equals", "b@example.com"))
    assert texts(got, "p:Results/p:SubscriberKey") == ["b@example.com"]


def test_create_bounced_refused(soap):
    resp = soap.create(subscriber_xml("c@example.com", status="Bounced"))
    assert texts(resp, "p:Results/p:ErrorCode") == ["12016"]


def test_update_status_lists_and_membership_retrieves(soap):
    news, promo = make_list(soap, "News"), make_list(soap, "Promo")
    soap.create(subscriber_xml("d@example.com", "d", [news]))
    upd = soap.call("Update", f'<UpdateRequest xmlns="{PARTNER}"><Objects xsi:type="Subscriber">'
                    "<SubscriberKey>d</SubscriberKey><Status>Unsubscribed</Status>"
                    f"<Lists><ID>{promo}</ID><Status>Unsubscribed</Status></Lists></Objects></UpdateRequest>")
    assert texts(upd, "p:Results/p:StatusMessage") == ["Updated Subscriber."]
    members = soap.retrieve("ListSubscriber", ["ListID", "SubscriberKey", "Status"],
                            simple_filter("SubscriberKey", "equals", "d"))
    pairs = sorted(zip(texts(members, "p:Results/p:ListID"), texts(members, "p:Results/p:Status"), strict=True))
    all_id = texts(soap.retrieve("List", ["ID"], simple_filter("ListName", "equals", "All Subscribers")),
                   "p:Results/p:ID")[0]
    assert pairs == sorted([(str(news), "Active"), (str(promo), "Unsubscribed"), (all_id, "Unsubscribed")])
    sl = soap.retrieve("SubscriberList", ["ID", "Status"], simple_filter("ID", "equals", str(promo)))
    assert texts(sl, "p:Results/p:Status") == ["Unsubscribed"]
    status = soap.retrieve("Subscriber", ["Status"], simple_filter("SubscriberKey", "equals", "d"))
    assert texts(status, "p:Results/p:Status") == ["Unsubscribed"]


def test_update_missing_is_12001_and_updateadd_creates(soap):
    upd = soap.call("Update", f'<UpdateRequest xmlns="{PARTNER}"><Objects xsi:type="Subscriber">'
                    "<SubscriberKey>ghost</SubscriberKey><EmailAddress>g@example.com</EmailAddress>"
                    "</Objects></UpdateRequest>")
    assert texts(upd, "p:Results/p:ErrorCode") == ["12001"]
    upsert = soap.call("Create", f'<CreateRequest xmlns="{PARTNER}"><Options><SaveOptions><SaveOption>'
                       "<PropertyName>*</PropertyName><SaveAction>UpdateAdd</SaveAction></SaveOption>"
                       "</SaveOptions></Options>" + subscriber_xml("g@example.com", "ghost") + subscriber_xml(
                           "g2@example.com", "ghost") + "</CreateRequest>")
    assert texts(upsert, "p:Results/p:StatusMessage") == ["Created Subscriber.", "Updated Subscriber."]
    got = soap.retrieve("Subscriber", ["EmailAddress"], simple_filter("SubscriberKey", "equals", "ghost"))
    assert texts(got, "p:Results/p:EmailAddress") == ["g2@example.com"]


def test_delete_and_unknown_list(soap):
    soap.create(subscriber_xml("e@example.com"))
    bad = soap.create(subscriber_xml("f@example.com", lists=[999999]))
    assert texts(bad, "p:Results/p:ErrorCode") == ["13000"]
    dele = soap.call("Delete", f'<DeleteRequest xmlns="{PARTNER}"><Objects xsi:type="Subscriber">'
                     "<SubscriberKey>e@example.com</SubscriberKey></Objects></DeleteRequest>")
    assert texts(dele, "p:OverallStatus") == ["OK"]
    got = soap.retrieve("Subscriber", ["ID"])
    assert got.findall("p:Results", NS) == []  # f was refused as a whole, e deleted


def test_membership_views_are_retrieve_only(soap):
    resp = soap.create('<Objects xsi:type="ListSubscriber"><ListID>1</ListID><SubscriberKey>x</SubscriberKey>'
                       "</Objects>")
    assert texts(resp, "p:Results/p:ErrorCode") == ["5"]
    assert texts(resp, "p:Results/p:StatusMessage")[0].startswith(
        "Cannot perform Create on objects of type ListSubscriber")


def test_list_retrieve_by_id_list_name_and_customer_key(soap):
    news = make_list(soap, "News")
    make_list(soap, "Other")
    for prop, value in (("ID", str(news)), ("ListName", "News"), ("CustomerKey", "News")):
        found = soap.retrieve("List", ["ID", "ListName", "CustomerKey"], simple_filter(prop, "equals", value))
        assert texts(found, "p:Results/p:ID") == [str(news)], prop
        assert texts(found, "p:Results/p:ListName") == ["News"], prop


def test_update_and_delete_by_id_alone(soap):
    created = soap.create(subscriber_xml("byid@example.com", "by-id"))
    new_id = texts(created, "p:Results/p:NewID")[0]
    upd = soap.call("Update", f'<UpdateRequest xmlns="{PARTNER}"><Objects xsi:type="Subscriber">'
                    f"<ID>{new_id}</ID><Status>Held</Status></Objects></UpdateRequest>")
    assert texts(upd, "p:Results/p:StatusMessage") == ["Updated Subscriber."]
    got = soap.retrieve("Subscriber", ["Status"], simple_filter("SubscriberKey", "equals", "by-id"))
    assert texts(got, "p:Results/p:Status") == ["Held"]
    missing = soap.call("Delete", f'<DeleteRequest xmlns="{PARTNER}"><Objects xsi:type="Subscriber">'
                        f"<ID>{int(new_id) + 999}</ID></Objects></DeleteRequest>")
    assert texts(missing, "p:Results/p:ErrorCode") == ["12001"]
    deleted = soap.call("Delete", f'<DeleteRequest xmlns="{PARTNER}"><Objects xsi:type="Subscriber">'
                        f"<ID>{new_id}</ID></Objects></DeleteRequest>")
    assert texts(deleted, "p:Results/p:StatusMessage") == ["Deleted Subscriber."]
    assert texts(soap.retrieve("Subscriber", ["ID"], simple_filter("SubscriberKey", "equals", "by-id")),
                 "p:Results/p:ID") == []


def test_iter_subscribers_streams_every_bu_in_id_order_across_batches(mc):
    from emulator.store.audience import SubscriberRecord

    audience, now = mc.emu.audience, mc.emu.clock.now().timestamp()
    parent, child = mc.parent_mid, mc.child_mid
    for i, mid in enumerate([parent, child, parent, child, parent]):
        audience.put_subscriber(mid, SubscriberRecord(f"s{i}", f"s{i}@example.com"), now)
    got = [(mid, r.subscriber_key) for mid, r in audience.iter_subscribers([parent, child], batch=2)]
    assert got == [(parent, "s0"), (child, "s1"), (parent, "s2"), (child, "s3"), (parent, "s4")]
    assert [r.subscriber_key for _, r in audience.iter_subscribers([child], batch=1)] == ["s1", "s3"]
