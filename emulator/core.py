"""The emulator backend and composition root: the store, the clock, the id source, every repository and
every domain service, each a typed attribute built here (and only here).

Like moto's per-account backends, everything the protocol adapters need hangs off this object; the Flask
app (app.py) holds one, and tests can hold several side by side. Services receive what they use; the older
ones (objects, sends, jobs, auth) still take the emulator, through which their behaviours reach each other.
``services`` is only for plug-ins that register themselves (the seed file, fault rules).
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import Any, get_type_hints

from .clock import Clock
from .config import Config
from .domain.auth import AuthService
from .domain.behaviours.triggered_send import TriggeredSendOverRest
from .domain.campaigns import CampaignService
from .domain.content import AssetService, CategoryService
from .domain.data_rows import AsyncRows
from .domain.delivery import Delivery
from .domain.engagement import Engagement, EngagementDeps
from .domain.ens import EnsDeps, EventNotifications
from .domain.folders import FolderService
from .domain.imports import recover as recover_imports
from .domain.jobs import JobRunner
from .domain.journeys import JourneyDeps, JourneyService
from .domain.objects import ObjectService
from .domain.quota import DefinitionQuota
from .domain.retention import Retention
from .domain.schema import partner_schema
from .domain.sends import SendService
from .domain.tenants import seed_tenant
from .domain.transactional import SMS_CHANNEL, TransactionalService, TxDeps, sms_service
from .ftp.folder import ImportFolder
from .ids import IdSource
from .store.audience import AudienceRepository
from .store.db import Store
from .store.document_query import DocumentQuery
from .store.engagement import EngagementRepository
from .store.ens import EnsRepository
from .store.inspect import InspectRepository
from .store.jobs import ContinuationRepository, JobRepository
from .store.journal import JournalRepository
from .store.journeys import JourneyRepository
from .store.objects import ObjectRepository
from .store.outbox import OutboxRepository
from .store.quota import QuotaRepository
from .store.rest_documents import RestDocumentRepository, TxMessageRepository
from .store.sends import SendRepository
from .store.tenants import TenantRepository
from .store.tokens import TokenRepository


class StoreRepositories:
    """The repositories built from the store alone, each a typed attribute of the Emulator: it builds every
    one declared here, in this order, so a new repository is one line. Those that need more (the SMS
    channel's messages, the Import folder) are built in Emulator.__init__."""

    objects: ObjectRepository
    tokens: TokenRepository
    tenants: TenantRepository
    outbox: OutboxRepository
    audience: AudienceRepository
    journal: JournalRepository
    job_rows: JobRepository
    continuations: ContinuationRepository
    quota_rows: QuotaRepository
    send_rows: SendRepository
    documents: RestDocumentRepository
    document_query: DocumentQuery
    tx_messages: TxMessageRepository  # the email channel's; sms_messages is built with its channel
    inspect: InspectRepository
    engagement_rows: EngagementRepository
    ens_rows: EnsRepository
    journey_rows: JourneyRepository


_STORE_REPOSITORIES = get_type_hints(StoreRepositories)  # {attribute: repository class}


class Emulator(StoreRepositories):
    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        if self.config.db_path:
            db_path = Path(self.config.db_path)
            db_path.parent.mkdir(parents=True, exist_ok=True)
            self.state_dir = db_path.resolve().parent
        else:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="sfmc-emulator-")
            self.state_dir = Path(self._tmpdir.name)
            db_path = self.state_dir / "emulator.db"
        self.clock = Clock()
        self.ids = IdSource(self.config.id_seed)
        self.schema = partner_schema()
        self.tenant: dict[str, Any] = self.config.tenant()
        self.base_url = self.config.public_base_url or f"http://{self.config.host}:{self.config.port}"
        # -- state: the store's repositories, and the Import folder on disk
        store = self.store = Store(db_path, durable=bool(self.config.db_path))
        for name, repository in _STORE_REPOSITORIES.items():
            setattr(self, name, repository(store))
        self.sms_messages = TxMessageRepository(store, channel="sms")
        self.import_folder = ImportFolder.for_database(db_path)  # its own, named after the database file
        # -- services
        self.object_service = ObjectService(self, self.continuations)
        self.folders = FolderService(self.objects, self.object_service.store_new)
        self.auth = AuthService(self)
        self.jobs = JobRunner(self, self.job_rows)
        self.quota = DefinitionQuota(store, self.clock, self.config, self.quota_rows)
        self.delivery = Delivery(store, self.objects, self.outbox, self.send_rows, lambda: self.base_url)
        self.categories = CategoryService(store, self.clock, self.documents, self.document_query,
                                          self.enterprise_mid)
        self.assets = AssetService(store, self.clock, self.ids, self.documents, self.document_query,
                                   self.categories, self.enterprise_mid)
        self.campaigns = CampaignService(store, self.clock, self.documents, self.document_query)
        self.transactional = TransactionalService(TxDeps(
            store, self.clock, self.ids, self.objects, self.audience, self.documents, self.tx_messages,
            self.quota, self.delivery, lambda: self.base_url))
        self.sms = sms_service(TxDeps(
            store, self.clock, self.ids, self.objects, self.audience, self.documents, self.sms_messages,
            self.quota, self.delivery, lambda: self.base_url, SMS_CHANNEL))
        self.engagement = Engagement(EngagementDeps(self.engagement_rows, self.audience, self.job_rows, self.clock,
                                                    self.delivery))
        self.ens = EventNotifications(EnsDeps(self.ens_rows, self.engagement_rows, self.audience, self.clock,
                                              self.ids, lambda: self.enterprise_mid,
                                              lambda: tuple(self.config.ens_allowed_hosts)))
        self.delivery.listeners.append(self.ens.on_delivery)
        self.triggered_sends = TriggeredSendOverRest(self.objects, self.audience, self.ids, self.clock,
                                                     self.delivery)
        self.journeys = JourneyService(JourneyDeps(self, self.journey_rows, self.documents))
        # Plug-ins that register themselves by name (the seed file, fault rules); reset() resets them.
        self.services: dict[str, Any] = {}
        self._fresh: tuple[sqlite3.Connection, Any] | None = None  # see reset()
        # Unexpected exceptions answered by the last-resort guard (middleware/guard.py); hostile-input
        # tests assert it stays 0.
        self.guard_hits = 0
        if not self.tenants.bus():
            seed_tenant(self, self.tenant)
        with self.store.transaction():  # a sandbox made before folders existed gets the default tree
            for bu in self.tenants.bus():
                self.folders.seed(int(bu["mid"]))
        self.sends = SendService(self, self.send_rows)
        self.sends.recover()  # sends a previous process left unfinished continue (README: sends)
        AsyncRows(self).recover()  # so do async row requests (docs/data.md)
        self.retention = Retention(self)  # purges old jobs/outbox/events when config.retain_days is set
        recover_imports(self)  # and imports: Queued ones run, Importing ones end as Error (domain/imports.py)
        self.journeys.recover()  # and contacts waiting in a journey (docs/journeys.md)
        self.ens.recover()  # and queued ENS deliveries (docs/engagement.md)

    @property
    def enterprise_mid(self) -> int:
        return int(self.tenant["business_units"][0]["mid"])

    def reset(self) -> None:
        """Back to the default tenant: every row gone, the clock and ids as at start. Issued tokens survive
        (the tenant they belong to is restored identically), so long-lived clients keep working.

        The first reset wipes and seeds, then keeps an in-memory snapshot (database and id-source state);
        later resets restore it, which stays fast however much a test loaded."""
        self.jobs.wait_idle(timeout=30)
        self.jobs.clear_scheduled()
        with self.ens.worker.quiet():  # no ENS attempt straddles the wipe
            self._reset_state()
        for service in self.services.values():
            if hasattr(service, "reset"):
                service.reset()

    def _reset_state(self) -> None:
        self.clock.reset()
        self.ids.reseed(self.config.id_seed)
        random_source = getattr(self.ids, "_random", None)  # seeded mode: the snapshot's GUIDs follow it
        try:
            if self._fresh is None:
                raise LookupError("no snapshot yet")
            self.store.restore(self._fresh[0], keep=("token",))
            if random_source is not None and self._fresh[1] is not None:
                random_source.setstate(self._fresh[1])
        except (LookupError, sqlite3.Error):
            self.store.wipe(keep=("token",))
            seed_tenant(self, self.tenant)
            self._fresh = (self.store.snapshot(), random_source.getstate() if random_source else None)
        self.import_folder.reset()

    def close(self) -> None:
        self.retention.stop()
        self.jobs.wait_idle(timeout=5)
        self.ens.worker.stop()
        if self._fresh is not None:
            self._fresh[0].close()
        self.journal.close()  # its queued entries written, its writer thread stopped
        self.store.close()
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
