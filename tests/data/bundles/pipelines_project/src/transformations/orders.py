from pyspark import pipelines as dp


@dp.table
def orders():
    return spark.read.table("samples.tpch.orders")
