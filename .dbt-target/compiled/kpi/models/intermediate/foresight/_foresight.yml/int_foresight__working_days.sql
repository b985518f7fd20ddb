
-- Fixture for int_foresight__working_days
select 
    
    cast('2025-10-15' as date)
 as "calendar_date", 
    
    cast(2025 as integer)
 as "year", 
    
    cast(196 as integer)
 as "working_days_elapsed"