-- S4 管考 register entries (管考填報登記表). The register is delivered whole every time and replaces
-- the previous one (docs/sources.md#s4-register), so only the latest load is read. Exact duplicates (equal in every
-- business column; the loader already trimmed spaces and made digits half-width) count once
-- (docs/indicators.md#register-counts); the first line of each is kept as source_line.
with raw_rows as (
    select * from {{ source('register', 'entries') }}
),

latest_snapshot as (
    select *
    from raw_rows
    where _load_id = (select max(r._load_id) from raw_rows as r)
),

entries as (
    select distinct on (
        kpi_code, event_date, org_unit_name, description, value, denominator, valid_until, evidence_url, entered_at
    ) *
    from latest_snapshot
    order by
        kpi_code, event_date, org_unit_name, description, value, denominator, valid_until, evidence_url, entered_at,
        _record
)

select
    md5(concat_ws('|',
        coalesce(kpi_code, '\N'),
        coalesce(event_date::text, '\N'),
        coalesce(org_unit_name, '\N'),
        coalesce(description, '\N'),
        coalesce(trim_scale(value)::text, '\N'),
        coalesce(trim_scale(denominator)::text, '\N'),
        coalesce(valid_until::text, '\N'),
        coalesce(evidence_url, '\N'),
        coalesce(to_char(entered_at at time zone 'Asia/Taipei', 'YYYY-MM-DD"T"HH24:MI:SS'), '\N')
    )) as entry_id,
    kpi_code,
    event_date,
    org_unit_name,
    description,
    value,
    denominator,
    valid_until,
    evidence_url,
    entered_at,
    _record as source_line
from entries
