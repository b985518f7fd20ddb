select *, null::numeric as expected_to_date from (values
  (date '2025-10-15', 'K5.4', 2025, 114, 'ALL', 1::numeric, 2::numeric, null::numeric, null::numeric, 'on_track', date '2025-10-15'),
  (date '2025-10-15', 'K5.2', 2025, 114, 'ALL', 0::numeric, 1::numeric, null::numeric, null::numeric, 'on_track', date '2025-10-15'),
  (date '2025-10-15', 'K5.3', 2025, 114, 'ALL', 0::numeric, 1::numeric, null::numeric, null::numeric, 'behind', date '2025-10-15'),
  (date '2025-10-15', 'K2.7', 2025, 114, 'ALL', 1::numeric, 1::numeric, 288::numeric, 288::numeric, 'on_track', date '2025-10-15'),
  (date '2025-10-15', 'K2.7', 2025, 114, 'KL0100', 1::numeric, 1::numeric, 288::numeric, 288::numeric, 'at_risk', date '2025-10-15'),
  (date '2025-10-15', 'K2.7', 2025, 114, 'KL0200', 0::numeric, 1::numeric, 278::numeric, 288::numeric, 'behind', date '2025-10-15')
) as t(as_of_date, kpi_code, year, roc_year, org_unit_code, actual_value, target_value, numerator, denominator, status, evaluation_date)