-- Issue 20: the gateway merges a request's buckets into service_costs in the request's own
-- transaction, and ingest_log carries only the grains' notifications of what was merged. A request
-- takes ONE number from ingest_log's own sequence (so it is newer than every row the log ever
-- held, and the sequence rule of service_costs.ingest_seq keeps working across the upgrade); its
-- buckets are written with it, and its notification rows carry it in ingest_seq.
-- ingest_seq NULL marks a row a gateway of an earlier release appended without merging: the pump
-- merges its buckets (with the row's seq, as that release's grain did) before it delivers it, so a
-- rolling upgrade loses nothing that was acknowledged.
ALTER TABLE ingest_log ADD COLUMN ingest_seq bigint;
ALTER TABLE ingest_dead_letters ADD COLUMN ingest_seq bigint;

-- Every ingest_seq an earlier release wrote came from this sequence; should a row hold a larger one
-- (written by hand, or restored from another database), start past it, so that the next request
-- is newer than everything stored. One scan of each table, once.
SELECT setval(pg_get_serial_sequence('ingest_log', 'seq'), greatest(
    (SELECT last_value FROM ingest_log_seq_seq),
    (SELECT coalesce(max(ingest_seq), 0) FROM service_costs),
    (SELECT coalesce(max(ingest_seq), 0) FROM cluster_cost_buckets),
    (SELECT coalesce(max(ingest_seq), 0) FROM pod_usage),
    1));
