scalaVersion := "2.12.18"
name := "scala_project"
version := "0.1"
