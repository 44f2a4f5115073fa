-- A tenant's cost per service over any range [range_from, range_to): the CXO overview ranks services
-- with it (cost by service, the trend's top 10, top movers). It is exactly the sum of the tenant's
-- service_costs buckets in the range, but reads whole UTC days from V012's daily rollup and buckets
-- only for the days the range covers in part: 7 days of 2,500 services are ~20,000 rollup rows and a
-- few hours of buckets instead of ~490,000 buckets.
-- For each partial day it reads the cheaper side: the buckets inside the range, or the day's rollup
-- total less the buckets outside it (for a range ending now, the rest of today is empty). The tenant
-- rollup of V004 says which side holds fewer buckets; either side gives the same money, so that choice
-- changes only the time taken. buckets counts the service's buckets in the range, and a service is
-- returned only if it has any, as a GROUP BY over the buckets would.
-- Day arithmetic uses '24 hours', not '1 day', so the session's time zone (DST) cannot move a day.
-- Column names win over parameter names in SQL functions, hence service_costs_by_service.tenant_id.
-- A single STABLE SELECT in SQL, so PostgreSQL inlines it into the caller's query with the range as
-- constants. Each read is a branch of its own with bounds written from the arguments, so the planner
-- estimates every range from statistics; a join to computed ranges made it expect a ninth of the table
-- per range and JIT-compile every call (+30 ms).
CREATE FUNCTION service_costs_by_service(tenant_id text, range_from timestamptz, range_to timestamptz)
RETURNS TABLE (service_name text, cost_usd numeric, buckets bigint)
LANGUAGE sql STABLE
AS $$
WITH edge AS (
    -- The range's first and last UTC day (the same day for a short range), if the range covers it
    -- only in part, and whether its part is read as the day's rollup less the buckets outside the range.
    SELECT e.which, coalesce(sum(h.buckets) FILTER (WHERE h."timestamp" >= range_from AND h."timestamp" < range_to), 0)
             > coalesce(sum(h.buckets) FILTER (WHERE h."timestamp" < range_from OR h."timestamp" >= range_to), 0) AS by_rollup
    FROM (VALUES ('first', date_trunc('day', range_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'),
                 ('last', date_trunc('day', (range_to - interval '1 microsecond') AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')) AS e(which, day_start)
    LEFT JOIN service_costs_tenant_hourly h
        ON h.tenant_id = service_costs_by_service.tenant_id
       AND h."timestamp" >= e.day_start AND h."timestamp" < e.day_start + interval '24 hours'
    WHERE range_from < range_to AND (e.day_start < range_from OR e.day_start + interval '24 hours' > range_to)
    GROUP BY e.which
)
SELECT x.service_name, sum(x.cost_usd), sum(x.buckets)
FROM (
    -- Whole days: from the first midnight at or after range_from to the last one at or before range_to.
    SELECT d.service_name, d.cost_usd, d.buckets
    FROM service_costs_service_daily d
    WHERE d.tenant_id = service_costs_by_service.tenant_id
      AND d.day >= ((range_from AT TIME ZONE 'UTC') - interval '1 microsecond')::date + 1
      AND d.day < (range_to AT TIME ZONE 'UTC')::date
    UNION ALL
    SELECT d.service_name, d.cost_usd, d.buckets
    FROM service_costs_service_daily d
    WHERE d.tenant_id = service_costs_by_service.tenant_id
      AND d.day = (range_from AT TIME ZONE 'UTC')::date
      AND (SELECT by_rollup FROM edge WHERE which = 'first') IS TRUE
    UNION ALL
    SELECT d.service_name, d.cost_usd, d.buckets
    FROM service_costs_service_daily d
    WHERE d.tenant_id = service_costs_by_service.tenant_id
      AND d.day = ((range_to - interval '1 microsecond') AT TIME ZONE 'UTC')::date
      AND d.day > (range_from AT TIME ZONE 'UTC')::date
      AND (SELECT by_rollup FROM edge WHERE which = 'last') IS TRUE
    UNION ALL
    -- Buckets of the first day before the range, of the last day after it (subtracted from the rollup) ...
    SELECT c.service_name, -c.cost_usd, -1
    FROM service_costs c
    WHERE c.tenant_id = service_costs_by_service.tenant_id
      AND c."timestamp" >= date_trunc('day', range_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND c."timestamp" < range_from
      AND (SELECT by_rollup FROM edge WHERE which = 'first') IS TRUE
    UNION ALL
    SELECT c.service_name, -c.cost_usd, -1
    FROM service_costs c
    WHERE c.tenant_id = service_costs_by_service.tenant_id
      AND c."timestamp" >= range_to
      AND c."timestamp" < (date_trunc('day', (range_to - interval '1 microsecond') AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') + interval '24 hours'
      AND (SELECT by_rollup FROM edge WHERE which = 'last') IS TRUE
    UNION ALL
    -- ... or of the first and last day inside the range.
    SELECT c.service_name, c.cost_usd, 1
    FROM service_costs c
    WHERE c.tenant_id = service_costs_by_service.tenant_id
      AND c."timestamp" >= range_from
      AND c."timestamp" < least((date_trunc('day', range_from AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') + interval '24 hours', range_to)
      AND (SELECT by_rollup FROM edge WHERE which = 'first') IS FALSE
    UNION ALL
    SELECT c.service_name, c.cost_usd, 1
    FROM service_costs c
    WHERE c.tenant_id = service_costs_by_service.tenant_id
      AND c."timestamp" >= greatest(date_trunc('day', (range_to - interval '1 microsecond') AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', range_from)
      AND c."timestamp" < range_to
      AND ((range_to - interval '1 microsecond') AT TIME ZONE 'UTC')::date > (range_from AT TIME ZONE 'UTC')::date
      AND (SELECT by_rollup FROM edge WHERE which = 'last') IS FALSE
) x
GROUP BY x.service_name
HAVING sum(x.buckets) > 0
$$;

-- It runs with the caller's rights, so row-level security of the tables it reads (V009, V012) still
-- decides which tenants a caller sees.
GRANT EXECUTE ON FUNCTION service_costs_by_service(text, timestamptz, timestamptz) TO grafana_reader, cloudsentinel_tenants;
