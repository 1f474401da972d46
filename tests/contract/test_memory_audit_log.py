"""The memory audit log keeps the audit log contract."""

from __future__ import annotations

import pytest

from staycore.adapters.memory.audit import MemoryAuditLog
from staycore.testing.contracts.audit import AuditLogContract


class TestMemoryAuditLog(AuditLogContract):
    @pytest.fixture
    def log(self) -> MemoryAuditLog:
        return MemoryAuditLog()
