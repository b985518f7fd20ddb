-- Every status word, its order and its colour (seeds status_labels and colours): what BI tools,
-- the report, the e-mail and `kpi status` show for a status code.
select
    s.status::text as status,
    s.status_zh::text as status_zh,
    s.status_en::text as status_en,
    s.status_sort::integer as status_sort,
    s.is_flagged::boolean as is_flagged,
    s.severity::text as severity,
    s.colour::text as colour,
    c.colour_zh::text as colour_zh,
    c.colour_hex::text as colour_hex,
    c.colour_text_hex::text as colour_text_hex,
    s.applies_to::text as applies_to
from {{ ref('status_labels') }} as s
inner join {{ ref('colours') }} as c using (colour)
