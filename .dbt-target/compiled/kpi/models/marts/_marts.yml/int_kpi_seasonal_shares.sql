
-- Fixture for int_kpi_seasonal_shares
select 
    
    cast('K9.1' as text)
 as "kpi_code", 
    
    cast('ALL' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(60 as integer)
 as "working_days_elapsed", cast(null as integer) as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", cast(null as integer) as "first_earlier_year", cast(null as integer) as "last_earlier_year", 
    
    cast(0.5 as numeric)
 as "share_mean", 
    
    cast(0.02 as numeric)
 as "share_sd", cast(null as numeric) as "share_min", cast(null as numeric) as "share_max", 
    
    cast(500 as numeric)
 as "remaining_mean", 
    
    cast(20 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K7.1' as text)
 as "kpi_code", 
    
    cast('KL0800' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(200 as integer)
 as "working_days_elapsed", cast(null as integer) as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", cast(null as integer) as "first_earlier_year", cast(null as integer) as "last_earlier_year", 
    
    cast(0.96 as numeric)
 as "share_mean", 
    
    cast(0.01 as numeric)
 as "share_sd", cast(null as numeric) as "share_min", cast(null as numeric) as "share_max", 
    
    cast(0.1 as numeric)
 as "remaining_mean", 
    
    cast(0.01 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0100' as text)
 as "org_unit_code", 
    
    cast(2023 as integer)
 as "year", 
    
    cast(20 as integer)
 as "working_days_elapsed", cast(null as integer) as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", cast(null as integer) as "first_earlier_year", cast(null as integer) as "last_earlier_year", 
    
    cast(0.7 as numeric)
 as "share_mean", 
    
    cast(0.02 as numeric)
 as "share_sd", cast(null as numeric) as "share_min", cast(null as numeric) as "share_max", 
    
    cast(0.2 as numeric)
 as "remaining_mean", 
    
    cast(0.02 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0900' as text)
 as "org_unit_code", 
    
    cast(2024 as integer)
 as "year", cast(null as integer) as "working_days_elapsed", 
    
    cast(10 as integer)
 as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", cast(null as integer) as "first_earlier_year", cast(null as integer) as "last_earlier_year", 
    
    cast(0.75 as numeric)
 as "share_mean", 
    
    cast(0.01 as numeric)
 as "share_sd", cast(null as numeric) as "share_min", cast(null as numeric) as "share_max", 
    
    cast(0.2 as numeric)
 as "remaining_mean", 
    
    cast(0.01 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0900' as text)
 as "org_unit_code", 
    
    cast(2024 as integer)
 as "year", cast(null as integer) as "working_days_elapsed", 
    
    cast(11 as integer)
 as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", cast(null as integer) as "first_earlier_year", cast(null as integer) as "last_earlier_year", 
    
    cast(0.72 as numeric)
 as "share_mean", 
    
    cast(0.01 as numeric)
 as "share_sd", cast(null as numeric) as "share_min", cast(null as numeric) as "share_max", 
    
    cast(0.22 as numeric)
 as "remaining_mean", 
    
    cast(0.01 as numeric)
 as "remaining_sd"
union all
select 
    
    cast('K5.1' as text)
 as "kpi_code", 
    
    cast('KL0900' as text)
 as "org_unit_code", 
    
    cast(2024 as integer)
 as "year", 
    
    cast(200 as integer)
 as "working_days_elapsed", cast(null as integer) as "snapshot_month", 
    
    cast(3 as integer)
 as "n_years", cast(null as integer) as "first_earlier_year", cast(null as integer) as "last_earlier_year", 
    
    cast(0.72 as numeric)
 as "share_mean", 
    
    cast(0.01 as numeric)
 as "share_sd", cast(null as numeric) as "share_min", cast(null as numeric) as "share_max", 
    
    cast(0.22 as numeric)
 as "remaining_mean", 
    
    cast(0.01 as numeric)
 as "remaining_sd"