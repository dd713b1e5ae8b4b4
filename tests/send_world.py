"""Audiences for send tests: objects through plain SOAP creates, audience rows straight into the tables."""

from __future__ import annotations

from typing import Any

from emulator.store.audience import SubscriberRecord
from tests.soap_helpers import texts


class SendWorld:
    """Creates emails, lists and data extensions (SOAP) and seeds their members (AudienceRepository)."""

    def __init__(self, mc, soap) -> None:
        self.mc, self.soap = mc, soap

    def create(self, xml: str, **auth: Any) -> dict[str, str]:
        resp = self.soap.create(xml, **auth)
        assert texts(resp, "p:Results/p:StatusCode") == ["OK"], texts(resp, "p:Results/p:StatusMessage")
        return {"NewID": texts(resp, "p:Results/p:NewID")[0], "NewObjectID": texts(resp, "p:Results/p:NewObjectID")[0]}

    def email(self, key: str = "welcome", subject: str = "Hello %%FirstName%%",
              html: str = "<p>Hi %%FirstName%% (%%emailaddr%%) key=%%subscriberkey%%</p>", **auth: Any) -> int:
        return int(self.create(f'<Objects xsi:type="Email"><CustomerKey>{key}</CustomerKey><Name>{key}</Name>'
                               f"<Subject>{subject}</Subject><HTMLBody><![CDATA[{html}]]></HTMLBody>"
                               "<EmailType>HTML</EmailType><IsHTMLPaste>true</IsHTMLPaste></Objects>",
                               **auth)["NewID"])

    def list(self, name: str, members: list[tuple[str, str, dict[str, str]]] | None = None,
             mid: int | None = None, statuses: dict[str, str] | None = None, **auth: Any) -> int:
        list_id = int(self.create(f'<Objects xsi:type="List"><CustomerKey>{name}</CustomerKey>'
                                  f"<ListName>{name}</ListName></Objects>", **auth)["NewID"])
        if members:
            self.members(list_id, members, mid, statuses)
        return list_id

    def members(self, list_id: int, members: list[tuple[str, str, dict[str, str]]], mid: int | None = None,
                statuses: dict[str, str] | None = None, account_status: dict[str, str] | None = None) -> None:
        mid = mid or self.mc.parent_mid
        now = self.mc.emu.clock.now().timestamp()
        audience = self.mc.emu.audience
        audience.put_subscribers(mid, [SubscriberRecord(k, e, (account_status or {}).get(k, "Active"), dict(a))
                                       for k, e, a in members], now)
        audience.set_memberships(mid, list_id, [(k, (statuses or {}).get(k, "Active")) for k, _, _ in members], now)

    def data_extension(self, key: str, rows: list[dict[str, str]], mid: int | None = None,
                       sendable: str | None = "SubscriberKey", relation: str = "Subscriber Key",
                       **auth: Any) -> str:
        columns = list(rows[0]) if rows else ["SubscriberKey", "EmailAddress"]
        fields = "".join(f"<Field><Name>{c}</Name><FieldType>{'EmailAddress' if 'mail' in c.lower() else 'Text'}"
                         "</FieldType></Field>" for c in columns)
        send = (f"<IsSendable>true</IsSendable><SendableDataExtensionField><Name>{sendable}</Name>"
                f"</SendableDataExtensionField><SendableSubscriberField><Name>{relation}</Name><Value></Value>"
                "</SendableSubscriberField>") if sendable else ""
        client = f"<Client><ID>{mid}</ID></Client>" if mid else ""
        object_id = self.create(f'<Objects xsi:type="DataExtension">{client}<CustomerKey>{key}</CustomerKey>'
                                f"<Name>{key}</Name>{send}<Fields>{fields}</Fields></Objects>", **auth)["NewObjectID"]
        self.mc.emu.audience.insert_rows(mid or self.mc.parent_mid, key, [(None, r) for r in rows],
                                         self.mc.emu.clock.now().timestamp())
        return object_id

