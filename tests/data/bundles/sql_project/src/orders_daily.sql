-- orders_daily
CREATE OR REPLACE TABLE IDENTIFIER(:catalog || '.' || :schema || '.orders_daily') AS
SELECT o_orderdate, count(*) AS n FROM IDENTIFIER(:catalog || '.' || :schema || '.orders_raw') GROUP BY 1;
