-- orders_raw
CREATE OR REPLACE VIEW IDENTIFIER(:catalog || '.' || :schema || '.orders_raw') AS
SELECT * FROM samples.tpch.orders;
