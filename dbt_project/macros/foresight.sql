{# Year-end projection of a cumulative indicator (docs/foresight.md), one place for the nightly
   foresight and the backtest. `a`: the value to date; `f`: the elapsed fraction of the year (the
   plan's linear clock); `s`: alias of an int_kpi_seasonal_shares row at the same working day.
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

{% macro projection_method(a, s='s') -%}
    (case when coalesce({{ s }}.n_years, 0) < 2 then 'linear'
          when {{ a }} > 0 and {{ s }}.share_mean > 0 then 'seasonal_share'
          else 'seasonal_remaining' end)
{%- endmacro %}

{# The projected value, low and high, rounded as counts are (low down, high up). #}
{% macro projected_value(a, f, s='s') -%}
    round(case {{ projection_method(a, s) }}
        when 'seasonal_share' then {{ a }} / {{ s }}.share_mean
        when 'seasonal_remaining' then {{ a }} + {{ s }}.remaining_mean
        else {{ a }} / nullif({{ f }}, 0) end)
{%- endmacro %}

{% macro projected_low(a, s='s') -%}
    floor(case {{ projection_method(a, s) }}
        when 'seasonal_share' then greatest({{ a }}, {{ a }} / ({{ s }}.share_mean + {{ projection_k(s ~ '.n_years') }} * {{ s }}.share_sd))
        when 'seasonal_remaining' then {{ a }} + greatest(0, {{ s }}.remaining_mean - {{ projection_k(s ~ '.n_years') }} * {{ s }}.remaining_sd)
        end)
{%- endmacro %}

{% macro projected_high(a, s='s') -%}
    ceil(case {{ projection_method(a, s) }}
        when 'seasonal_share' then
            case when {{ s }}.share_mean - {{ projection_k(s ~ '.n_years') }} * {{ s }}.share_sd > 0
                 then {{ a }} / ({{ s }}.share_mean - {{ projection_k(s ~ '.n_years') }} * {{ s }}.share_sd) end
        when 'seasonal_remaining' then {{ a }} + {{ s }}.remaining_mean + {{ projection_k(s ~ '.n_years') }} * {{ s }}.remaining_sd
        end)
{%- endmacro %}

{# likely_achieved when even the low end reaches the target (the point, without a range), likely_missed
   when the projected value falls short of it, else uncertain. Words: seed projection_labels. #}
{% macro projected_status(projected, low, target) -%}
    (case when {{ target }} is null or {{ projected }} is null then null
          when coalesce({{ low }}, {{ projected }}) >= {{ target }} then 'likely_achieved'
          when {{ projected }} < {{ target }} then 'likely_missed'
          else 'uncertain' end)
{%- endmacro %}
