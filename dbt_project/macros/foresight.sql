{# Year-end projection of a cumulative indicator (docs/foresight.md), one place for the nightly
   foresight and the backtest. `a`: the value to date; `f`: the elapsed fraction of the year (the
   plan's linear clock); `s`: alias of an int_kpi_seasonal_shares row at the same point of the year (shares_clock).
   - seasonal_share (≥ 2 earlier years, a value above 0): a / mean share; the 80 % range divides a by
     mean share ± k × sd of the shares;
   - seasonal_remaining (≥ 2 earlier years, nothing yet): a + mean amount the earlier years still
     added after this point, ± k × its sd;
   - linear (fewer than 2 earlier years): a / f, no range.
   k = t(0.90, n−1) × √(1 + 1/n), the one-sided 90 % Student t quantile of a prediction interval from n
   earlier years: n = 2 → 3.078 × 1.2247 = 3.770, n = 3 → 1.886 × 1.1547 = 2.178. #}
{% macro projection_k(n) -%}
    (case when {{ n }} = 2 then 3.770 when {{ n }} = 3 then 2.178 end)
{%- endmacro %}

{# How far from the projected value towards the low end (the high end when lower is better) lies
   the point the year end stays under one time in three, under the same Student t as the range:
   t(2/3, n−1) ÷ t(0.90, n−1) (the √(1 + 1/n) cancels). n = 2 (1 degree of freedom): 0.5774 ÷ 3.0777
   = 0.1876; n = 3 (2 degrees): 0.5000 ÷ 1.8856 = 0.2652. Fewer years have no range. #}
{% macro miss_chance_fraction(n) -%}
    (case when {{ n }} = 2 then 0.1876 when {{ n }} = 3 then 0.2652 else 0 end)
{%- endmacro %}

{# The ratios and means with a daily path (int_kpi_daily_paths__ratios): the only ones projected. A
   fixed list, not "those with rows", so a build of any range of dates projects the same indicators. #}
{% macro ratio_path_kpis() -%}
    ('K7.1', 'K5.1')
{%- endmacro %}

{# The snapshot indicators among them: a monthly snapshot (S3), a step on the first of each month, so
   their clock is the month of the latest snapshot known at d, not the working days elapsed: earlier
   years are read at the same snapshot month (docs/foresight.md "The clock"). #}
{% macro snapshot_kpis() -%}
    ('K5.1')
{%- endmacro %}

{# The point of the year an int_kpi_seasonal_shares row `s` stands for, and the same point of a row
   being projected: the snapshot month (1–12) for a snapshot indicator, else the working days elapsed.
   One expression on each side of the join, so the join stays a hash join. #}
{% macro shares_clock(s='s') -%}
    coalesce({{ s }}.snapshot_month, {{ s }}.working_days_elapsed)
{%- endmacro %}

{% macro clock_at(kpi_code, working_days_elapsed, snapshot_month) -%}
    (case when {{ kpi_code }} in {{ snapshot_kpis() }} then {{ snapshot_month }} else {{ working_days_elapsed }} end)
{%- endmacro %}

{% macro projection_method(a, s='s') -%}
    (case when coalesce({{ s }}.n_years, 0) < 2 then 'linear'
          when {{ a }} > 0 and {{ s }}.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
{%- endmacro %}

{# The projected value, low and high. `is_count` (a SQL boolean): counts are rounded as counts (the
   point to the nearest, low down, high up) and fall back to a / f; ratios and means keep 4 decimals
   and fall back to a itself (a ratio to date is already on the year-end scale). #}
{% macro _rounded(expr, is_count, count_fn) -%}
    (case when {{ is_count }} then {{ count_fn }}({{ expr }}) else round({{ expr }}, 4) end)
{%- endmacro %}

{% macro projected_value(a, f, s='s', is_count='true') -%}
    {{ _rounded('case ' ~ projection_method(a, s) ~ "
        when 'seasonal_share' then " ~ a ~ ' / ' ~ s ~ ".share_mean
        when 'seasonal_remaining' then " ~ a ~ ' + ' ~ s ~ '.remaining_mean
        else case when ' ~ is_count ~ ' then ' ~ a ~ ' / nullif(' ~ f ~ ', 0) else ' ~ a ~ ' end end', is_count, 'round') }}
{%- endmacro %}

{# A count never ends the year below its value to date; a ratio or mean may. #}
{% macro _low_raw(a, s, is_count) -%}
    case {{ projection_method(a, s) }}
        when 'seasonal_share' then
            case when {{ is_count }} then greatest({{ a }}, {{ a }} / ({{ s }}.share_mean + {{ projection_k(s ~ '.n_years') }} * {{ s }}.share_sd))
                 else {{ a }} / ({{ s }}.share_mean + {{ projection_k(s ~ '.n_years') }} * {{ s }}.share_sd) end
        when 'seasonal_remaining' then {{ a }} + greatest(0, {{ s }}.remaining_mean - {{ projection_k(s ~ '.n_years') }} * {{ s }}.remaining_sd)
        end
{%- endmacro %}

{% macro _high_raw(a, s) -%}
    case {{ projection_method(a, s) }}
        when 'seasonal_share' then
            case when {{ s }}.share_mean - {{ projection_k(s ~ '.n_years') }} * {{ s }}.share_sd > 0
                 then {{ a }} / ({{ s }}.share_mean - {{ projection_k(s ~ '.n_years') }} * {{ s }}.share_sd) end
        when 'seasonal_remaining' then {{ a }} + {{ s }}.remaining_mean + {{ projection_k(s ~ '.n_years') }} * {{ s }}.remaining_sd
        end
{%- endmacro %}

{% macro projected_low(a, s='s', is_count='true') -%}
    {{ _rounded(_low_raw(a, s, is_count), is_count, 'floor') }}
{%- endmacro %}

{% macro projected_high(a, s='s', is_count='true') -%}
    {{ _rounded(_high_raw(a, s), is_count, 'ceil') }}
{%- endmacro %}

{# likely_achieved when even the low end reaches the target (the point, without a range); else
   likely_missed when the target lies above the point the year end stays under one time in three,
   that is above the projected value less miss_chance_fraction(n) of the way down to the low end (n
   the earlier years: 0.1876 for 2, 0.2652 for 3); else uncertain. So 可能未達成 means a chance of
   missing of one in three or more, the IPCC's line below which an outcome is no longer "likely": an
   early warning should not wait until a miss is more likely than not. Without `n_years` (deadline
   steps, the certificate, whose low end is the worst case, not a 10 % point): likely_missed only
   when the projected value itself falls short. Words: seed projection_labels. Lower is better (K7.1 mean
   days): the mirror image, with the high end. #}
{% macro projected_status(projected, low, target, high=none, direction="'higher'", n_years=none) -%}
    {%- set fraction = miss_chance_fraction(n_years) if n_years else "0" -%}
    (case when {{ target }} is null or {{ projected }} is null then null
          when {{ direction }} = 'lower' then
              case when coalesce({{ high if high else 'null' }}, {{ projected }}) <= {{ target }} then 'likely_achieved'
                   when {{ target }} < {{ projected }}
                        + {{ fraction }} * (coalesce({{ high if high else 'null' }}, {{ projected }}) - {{ projected }})
                        then 'likely_missed'
                   else 'uncertain' end
          when coalesce({{ low }}, {{ projected }}) >= {{ target }} then 'likely_achieved'
          when {{ target }} > {{ projected }} - {{ fraction }} * ({{ projected }} - coalesce({{ low }}, {{ projected }}))
              then 'likely_missed'
          else 'uncertain' end)
{%- endmacro %}


{# A projected value as the report's charts and flagged table show it (kpi_status_labelled, with the
   catalog as `k` and value_formats as `fmt`): counts without their unit, others with it; null stays null. #}
{% macro projection_text(expr) -%}
    (case when ({{ expr }}) is not null
          then trim({{ fmt_value(expr, 'fmt', "case when k.value_format = 'count' then '' else k.unit_zh end") }}) end)
{%- endmacro %}
