"""What runs on Databricks: the status program every generated job starts and ends with
(status.py, uploaded as a Python notebook) and the SQL that reads its log (views.py)."""
