-- Alert severities (seed alert_severities) with their words and colours.
select
    a.severity::text as severity,
    a.severity_zh::text as severity_zh,
    a.severity_en::text as severity_en,
    a.severity_sort::integer as severity_sort,
    a.colour::text as colour,
    c.colour_hex::text as colour_hex,
    c.colour_text_hex::text as colour_text_hex
from {{ ref('alert_severities') }} as a
inner join {{ ref('colours') }} as c using (colour)
