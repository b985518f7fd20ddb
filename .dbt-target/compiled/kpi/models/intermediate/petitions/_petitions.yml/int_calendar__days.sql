
-- Fixture for int_calendar__days
select 
    
    cast('2025-11-25' as date)
 as "calendar_date", cast(null as integer) as "year", cast(null as integer) as "iso_weekday", cast(null as boolean) as "has_calendar_file", cast(null as boolean) as "is_in_calendar_file", 
    
    cast(True as boolean)
 as "is_working_day", 
    
    cast(1 as integer)
 as "working_day_number", cast(null as boolean) as "is_makeup_workday", cast(null as text) as "note"