
select date '2025-11-25' as as_of_date, * from (values
  
  ('K1.1', 2024,
   12::numeric,
   113,
   'plan'),
  
  ('K1.1', 2025,
   12::numeric,
   114,
   'plan'),
  
  ('K4.1', 2024,
   2::numeric,
   113,
   'plan'),
  
  ('K4.1', 2025,
   2::numeric,
   114,
   'plan'),
  
  ('K6.2', 2024,
   4::numeric,
   113,
   'carried_forward'),
  
  ('K6.2', 2025,
   4::numeric,
   113,
   'carried_forward'),
  
  ('K6.3', 2024,
   null::numeric,
   113,
   null),
  
  ('K6.3', 2025,
   null::numeric,
   114,
   null),
  
  ('K6.4', 2024,
   16::numeric,
   113,
   'plan'),
  
  ('K6.4', 2025,
   16::numeric,
   114,
   'plan'),
  
  ('K9.1', 2024,
   111500::numeric,
   113,
   'plan'),
  
  ('K9.1', 2025,
   120000::numeric,
   114,
   'plan'),
  
  ('K7.2', 2024,
   0.8::numeric,
   113,
   'plan'),
  
  ('K7.2', 2025,
   0.8::numeric,
   114,
   'plan'),
  
  ('K3.2', 2024,
   0.8::numeric,
   113,
   'plan'),
  
  ('K3.2', 2025,
   0.8::numeric,
   114,
   'plan'),
  
  ('K5.1', 2024,
   0.82::numeric,
   113,
   'plan'),
  
  ('K5.1', 2025,
   0.82::numeric,
   114,
   'plan'),
  
  ('K3.1', 2024,
   1.0::numeric,
   113,
   'plan'),
  
  ('K3.1', 2025,
   1.0::numeric,
   114,
   'plan'),
  
  ('C3.1', 2024,
   0.8::numeric,
   113,
   'plan'),
  
  ('C3.1', 2025,
   0.8::numeric,
   114,
   'plan'),
  
  ('C1.1', 2024,
   0.02::numeric,
   113,
   'plan'),
  
  ('C1.1', 2025,
   0.02::numeric,
   114,
   'plan'),
  
  ('K7.1', 2024,
   2::numeric,
   113,
   'plan'),
  
  ('K7.1', 2025,
   2::numeric,
   114,
   'plan'),
  
  ('C2.1', 2024,
   0::numeric,
   113,
   'plan'),
  
  ('C2.1', 2025,
   0::numeric,
   114,
   'plan'),
  
  ('K2.7', 2024,
   1::numeric,
   113,
   'plan'),
  
  ('K2.7', 2025,
   1::numeric,
   114,
   'plan'),
  
  ('K8.1', 2024,
   1::numeric,
   113,
   'plan'),
  
  ('K8.1', 2025,
   1::numeric,
   114,
   'plan'),
  
  ('K5.2', 2024,
   1::numeric,
   113,
   'plan'),
  
  ('K5.2', 2025,
   1::numeric,
   114,
   'plan'),
  
  ('K5.3', 2024,
   1::numeric,
   113,
   'plan'),
  
  ('K5.3', 2025,
   1::numeric,
   114,
   'plan'),
  
  ('K5.4', 2024,
   2::numeric,
   113,
   'plan'),
  
  ('K5.4', 2025,
   2::numeric,
   114,
   'plan')
  
) as t(kpi_code, year, target_value, target_roc_year, target_basis)