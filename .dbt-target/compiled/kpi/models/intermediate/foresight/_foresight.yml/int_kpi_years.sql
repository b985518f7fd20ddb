select date '2025-10-15' as as_of_date, code as kpi_code, 2025 as year, true as is_current_year, 0.789::numeric as elapsed_fraction
from unnest(array['K5.4', 'K5.2', 'K5.3', 'K2.7']) as code