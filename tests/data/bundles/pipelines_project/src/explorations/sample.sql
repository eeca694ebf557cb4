-- Databricks notebook source
SELECT * FROM orders LIMIT 10
