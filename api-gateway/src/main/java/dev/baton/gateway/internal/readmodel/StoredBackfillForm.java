package dev.baton.gateway.internal.readmodel;

/** What a record of the backfill states store holds: the split form, or the whole state an earlier version wrote. */
sealed interface StoredBackfillForm permits StoredBackfill, StoredBackfill.Legacy {}
